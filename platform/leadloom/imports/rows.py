"""One sheet row → the input of a write: the mapped cells converted per field, references
resolved, problems collected per cell (``Message``: "<field>: <what is wrong>")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from leadloom.imports.errors import ImportRequestError
from leadloom.imports.fields import OWNER, OWNER_LABEL, entity_of, importable_fields
from leadloom.imports.options import ImportOptions
from leadloom.imports.references import References
from leadloom.imports.sheets import Sheet
from leadloom.imports.values import CellProblem, convert, split
from leadloom.metadata.field_types import RELATION, FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Field, Label
from leadloom.records import Context


@dataclass(frozen=True, slots=True)
class Column:
    """A mapped column: its place in the row, its field (None: the owner) and label."""

    index: int
    code: str
    field: Field | None
    label: Label


def columns_of(ctx: Context, entity_code: str, sheet: Sheet,
               mapping: Mapping[str, str | None]) -> list[Column]:
    """The mapped columns, checked: each field the importer may write, and at most once.

    :raises ImportRequestError: the mapping names an unknown column or a field the importer
        may not write, twice the same field, or no field at all.
    """
    entity = entity_of(ctx.registry, entity_code)
    allowed = {f.code for f in importable_fields(ctx.registry, ctx.actor, entity_code)}
    found: list[Column] = []
    used: set[str] = set()
    for header, code in mapping.items():
        if not code:
            continue
        if header not in sheet.headers:
            raise ImportRequestError(Message("the file has no column '%(name)s'", name=header))
        if code not in allowed:
            raise ImportRequestError(Message("you may not import into the field '%(field)s'",
                                             field=code))
        if code in used:
            raise ImportRequestError(Message("two columns go into the field '%(field)s'",
                                             field=code))
        used.add(code)
        f = None if code == OWNER else entity.field(code)
        found.append(Column(sheet.headers.index(header), code, f,
                            OWNER_LABEL if f is None else f.label))
    if not found:
        raise ImportRequestError(Message("map at least one column to a field"))
    return found


class RowReader:
    """Converts rows of one import; references are resolved once per distinct text."""

    def __init__(self, ctx: Context, columns: list[Column], options: ImportOptions) -> None:
        self.ctx, self.columns, self.options = ctx, columns, options
        self.references = References(ctx)
        self.zone = ZoneInfo(ctx.registry.app.timezone)

    def prepare(self, rows: list[list[str]]) -> None:
        """Resolve the references of ``rows`` in one query per column."""
        for column in self.columns:
            if column.field is None or column.field.type in RELATION:
                texts = {part for row in rows for part in self._parts(column, row[column.index])}
                self.references.prepare(column.field, texts)

    def read(self, row: list[str]) -> tuple[dict[str, Any], list[Message]]:
        """The write's input from ``row``, and the problems of its cells."""
        data: dict[str, Any] = {}
        problems: list[Message] = []
        for column in self.columns:
            text = row[column.index]
            if not text:
                continue
            try:
                data[column.code] = self._value(column, text)
            except CellProblem as problem:
                problems.append(Message("%(field)s: %(problem)s", field=column.label,
                                        problem=problem.message))
        return data, problems

    def _value(self, column: Column, text: str) -> Any:
        f = column.field
        if f is None or f.type in (FieldType.USER, FieldType.REFERENCE):
            return self.references.resolve(f, text)
        if f.type is FieldType.TAGS:
            return [self.references.resolve(f, part) for part in split(text)]
        value = convert(f, text, self.options.money_unit)
        if isinstance(value, dt.datetime):  # typed in local time; stored as UTC
            value = value.replace(tzinfo=self.zone)
        return value

    @staticmethod
    def _parts(column: Column, text: str) -> list[str]:
        if not text:
            return []
        if column.field is not None and column.field.type is FieldType.TAGS:
            return split(text)
        return [text]
