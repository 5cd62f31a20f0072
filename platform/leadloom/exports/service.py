"""Export a list: the rows of the list's own query (scoped, filtered, sorted by the caller),
in batches, into an XLSX or CSV file, then one audit row.

The caller hands over the statement its list runs (``web``: the same FAB query the list
page and the REST list run, the one read scope applied by their base filter); this module
picks the columns the reader may see, reads the rows a batch at a time (``yield_per``: a
server-side cursor on PostgreSQL) and writes each row as it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

import sqlalchemy as sa

from leadloom.access import rights
from leadloom.exports.columns import Column, export_columns
from leadloom.exports.errors import TooManyRows, UnknownFormat
from leadloom.exports.lookups import BatchNames
from leadloom.exports.rows import Wording, readers
from leadloom.exports.writers import FORMATS, open_sheet
from leadloom.metadata.field_types import MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.records import Context
from leadloom.records.audit import audit_export
from leadloom.records.errors import not_allowed

#: rows read and written per batch (one look-up of names per batch)
BATCH = 2000


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export: ``columns`` (codes, the list's) with ``headers`` in the reader's
    language; ``filters``: how the list was asked for, kept in the audit row."""

    entity: str
    format: str
    columns: Sequence[str]
    headers: Mapping[str, str]
    wording: Wording
    filters: Mapping[str, Any] = field(default_factory=dict)
    #: the exporter's name and the local time, for the watermark
    exporter: str = ""
    at: str = ""
    #: turns a message into the reader's language (the web layer's catalogs)
    translate: Callable[[Message], str] = str


@dataclass(frozen=True, slots=True)
class ExportResult:
    rows: int
    columns: tuple[str, ...]


def export_rows(ctx: Context, request: ExportRequest, statement: sa.Select[Any],
                out: BinaryIO) -> ExportResult:
    """Write the rows of ``statement`` (the list's query of ``request.entity``) to ``out``
    and audit the export in ``ctx``'s transaction (the caller commits).

    :raises Forbidden: the reader's roles do not grant ``export`` on the entity.
    :raises UnknownFormat: a format other than xlsx or csv.
    :raises TooManyRows: more rows than ``app.yaml`` ``export.max_rows`` (nothing audited).
    """
    registry = ctx.registry
    entity = registry.entity(request.entity)
    granted = rights(registry, ctx.actor, entity.code)
    if not granted.allows("export"):
        raise not_allowed("export", entity.label)
    if request.format not in FORMATS:
        raise UnknownFormat(request.format)
    view = registry.view(entity.code, ctx.actor.unit)
    columns = [_in_yuan(c, request.translate)
               for c in export_columns(view, request.columns, granted.hidden, request.headers)]
    settings = registry.app.export
    watermark = request.translate(Message(  # 导出人 张三 · 2026-12-01 10:32
        "Exported by %(user)s · %(time)s", user=request.exporter, time=request.at)
    ) if settings.watermark else None
    sheet = open_sheet(request.format, out, entity.label.get(request.wording.locale), watermark)
    sheet.header([c.header for c in columns])
    try:
        count = _write_rows(ctx, entity.code, columns, statement, request.wording, sheet,
                            settings.max_rows)
    except BaseException:
        sheet.discard()
        raise
    sheet.close()
    audit_export(ctx, entity.code, {
        "format": request.format, "rows": count, "columns": [c.code for c in columns],
        "filters": dict(request.filters), "watermark": watermark is not None})
    return ExportResult(count, tuple(c.code for c in columns))


def _write_rows(ctx: Context, entity: str, columns: list[Column], statement: sa.Select[Any],
                wording: Wording, sheet: Any, limit: int | None) -> int:
    """Each row of ``statement`` into ``sheet``, a batch at a time; the count written."""
    table = ctx.models.cls(entity).__table__
    sources = ["id", *dict.fromkeys(c.source for c in columns if c.source and c.source != "id")]
    index = {name: i for i, name in enumerate(sources)}
    read = readers(ctx.registry, columns, index, wording)
    selected = statement.with_only_columns(*(table.c[name] for name in sources))
    result = ctx.session.execute(selected.execution_options(yield_per=BATCH))
    count = 0
    for batch in result.partitions():
        count += len(batch)
        if limit is not None and count > limit:
            result.close()
            raise TooManyRows(limit)
        names = BatchNames(ctx.session, ctx.models, entity, columns, batch, index)
        for row in batch:
            sheet.row([r(row, names) for r in read])
    return count


def _in_yuan(column: Column, translate: Callable[[Message], str]) -> Column:
    """A money column shown in 万 on screen says its file values are 元: 预计金额(元)."""
    if column.field is None or column.field.unit is not MoneyUnit.WAN:
        return column
    return replace(column, header=translate(Message("%(label)s (CNY)", label=column.header)))
