"""Lists downloaded as files: the list page's 导出 and ``GET /api/v1/<entity>/export``.

Both hand ``exports`` the query their list runs (the scope's base filter, the list's
filters and sort) and the list's columns; the file is written to a spooled temporary file
(memory up to ``SPOOL``, then disk), the audit row committed, and the file sent in chunks
with a UTF-8 file name: 线索_20261201.xlsx.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from typing import IO, Any, cast

import sqlalchemy as sa
from flask import Response, send_file

from leadloom.access.people import display_name
from leadloom.exports import (
    MEDIA_TYPES,
    ExportRequest,
    ExportResult,
    Wording,
    export_rows,
)
from leadloom.metadata.registry import Entity
from leadloom.records.leads import clock
from leadloom.web import layout
from leadloom.web.actor import request_context
from leadloom.web.labels import NO, YES, current_locale, local_time
from leadloom.web.language import translated
from leadloom.web.state import state

#: bytes of a file kept in memory before it goes to disk
SPOOL = 8 * 1024 * 1024


def write_export(entity: Entity, statement: sa.Select[Any], columns: Sequence[str],
                 fmt: str, filters: Mapping[str, Any], channel: str, out: IO[bytes]
                 ) -> ExportResult:
    """Export the list (``statement``, ``columns``) for the current user into ``out`` and
    commit the audit row.

    :raises RecordError: no export right (403), a format or size the export refuses (400).
    """
    st = state()
    ctx = request_context(channel)
    view = st.registry.view(entity.code, ctx.actor.unit)
    locale = current_locale()
    request = ExportRequest(
        entity.code, fmt, columns, layout.labels(view),
        Wording(locale, translated(YES), translated(NO)), filters,
        exporter=_exporter(), at=f"{local_time(clock.now()):%Y-%m-%d %H:%M}", translate=translated)
    result = export_rows(ctx, request, statement, cast(Any, out))
    ctx.session.commit()
    return result


def export_response(entity: Entity, statement: sa.Select[Any], columns: Sequence[str],
                    fmt: str, filters: Mapping[str, Any], channel: str) -> Response:
    """The list as a file download (``X-Export-Rows``: the rows it holds)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - send_file closes it
    try:
        result = write_export(entity, statement, columns, fmt, filters, channel, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = send_file(out, mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=file_name(entity, fmt))
    response.headers["X-Export-Rows"] = str(result.rows)
    return response


def file_name(entity: Entity, fmt: str) -> str:
    """线索_20261201.xlsx; with the exporter's login when config asks for a watermark
    (a CSV file has no line of its own for it)."""
    st = state()
    day = f"{local_time(clock.now()):%Y%m%d}"
    parts = [entity.label.get(current_locale()), day]
    if st.registry.app.export.watermark:
        parts.append(st.appbuilder.sm.current_user.username)
    return f"{'_'.join(parts)}.{fmt}"


def _exporter() -> str:
    user = state().appbuilder.sm.current_user
    return display_name(user.first_name, user.last_name, user.username)
