"""Type changes with a checked conversion: every value converts, or is kept aside.

The column is rebuilt: converted values go to a new column of the new type, values that do
not convert are copied to ``<column>__legacy`` (old type) and listed in the report, then
the new column takes the old one's name. Nothing is ever silently lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Field
from leadloom.model.columns import COLUMN_TYPES
from leadloom.model.plan import LEGACY_SUFFIX, Step

_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "1", "yes", "y", "是", "对"}
_FALSE = {"false", "0", "no", "n", "否", "错"}


@dataclass(slots=True)
class Conversion:
    """What one conversion did: how many values converted, which rows kept the old one."""

    table: str
    column: str
    converted: int = 0
    kept: list[int] = field(default_factory=list)

    def line(self) -> str:
        line = f"{self.table}.{self.column}: {self.converted} value(s) converted"
        if self.kept:
            ids = ", ".join(f"#{i}" for i in self.kept[:10])
            more = f" and {len(self.kept) - 10} more" if len(self.kept) > 10 else ""
            line += (f"; {len(self.kept)} kept in {self.column}{LEGACY_SUFFIX} "
                     f"(records {ids}{more})")
        return line


def convert_value(value: Any, f: Field) -> tuple[bool, Any]:
    """``(True, new value)`` if ``value`` converts to field ``f``, else ``(False, None)``."""
    mapping = dict(f.convert or ())
    text = str(value).strip()
    if text in mapping:
        value = mapping[text]
        text = str(value).strip()
    try:
        return True, _coerce(text, value, f)
    except (ValueError, InvalidOperation, TypeError):
        return False, None


def _coerce(text: str, value: Any, f: Field) -> Any:
    kind = f.type
    if kind is FieldType.ENUM:
        if f.option(text) is None:
            raise ValueError(text)
        return text
    if kind is FieldType.MULTI_ENUM:
        codes = [c.strip() for c in text.split(",") if c.strip()]
        if not codes or any(f.option(c) is None for c in codes):
            raise ValueError(text)
        return codes
    if kind is FieldType.INTEGER:
        if not _INTEGER.match(text):
            number = Decimal(text)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)
        return int(text)
    if kind in (FieldType.DECIMAL, FieldType.MONEY):
        number = Decimal(text.replace(",", ""))
        if not number.is_finite():
            raise ValueError(text)
        return number
    if kind is FieldType.BOOLEAN:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(text)
    if kind is FieldType.DATE:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(text[:10])
    if kind is FieldType.DATETIME:
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(text)
    if f.length and len(text) > f.length:
        raise ValueError(text)
    return text


def convert_column(conn: sa.Connection, operations: Operations, step: Step) -> Conversion:
    """Rebuild ``step.table.step.column`` as the new type; see the module docstring."""
    assert step.field is not None and step.field.column is not None
    table, column, f = step.table, step.column, step.field
    columns = {c["name"]: c for c in sa.inspect(conn).get_columns(table)}
    legacy, temp = f"{column}{LEGACY_SUFFIX}", f"{column}__new"
    if legacy not in columns:
        operations.add_column(table, sa.Column(legacy, columns[column]["type"]))
    operations.add_column(table, sa.Column(temp, COLUMN_TYPES[f.type](f)))
    source = sa.table(table, sa.column("id"), sa.column(column), sa.column(legacy),
                      sa.Column(temp, COLUMN_TYPES[f.type](f)))
    report = Conversion(table, column)
    converted, kept = [], []
    for row_id, value in conn.execute(sa.select(source.c.id, source.c[column])
                                      .where(source.c[column].is_not(None))):
        ok, new = convert_value(value, f)
        if ok:
            converted.append({"row_id": row_id, "new": new})
        else:
            kept.append({"row_id": row_id, "old": value})
    if converted:
        conn.execute(source.update().where(source.c.id == sa.bindparam("row_id"))
                     .values({temp: sa.bindparam("new")}), converted)
    if kept:
        conn.execute(source.update().where(source.c.id == sa.bindparam("row_id"))
                     .values({legacy: sa.bindparam("old")}), kept)
    drop_column(conn, operations, table, column)
    rename_column(conn, table, temp, column)
    report.converted = len(converted)
    report.kept = sorted(k["row_id"] for k in kept)
    return report


def drop_column(conn: sa.Connection, operations: Operations, table: str, column: str) -> None:
    """Drop a column; on SQLite by rebuilding the table, which also handles its indexes."""
    if conn.dialect.name == "sqlite":
        for index in sa.inspect(conn).get_indexes(table):
            if column in index["column_names"]:
                operations.drop_index(index["name"], table_name=table)
        with operations.batch_alter_table(table) as batch:
            batch.drop_column(column)
    else:
        operations.drop_column(table, column)


def rename_column(conn: sa.Connection, table: str, old: str, new: str) -> None:
    """``ALTER TABLE … RENAME COLUMN`` (PostgreSQL and SQLite ≥ 3.25 alike)."""
    quote = conn.dialect.identifier_preparer.quote
    conn.execute(sa.text(f"ALTER TABLE {quote(table)} RENAME COLUMN {quote(old)} "
                         f"TO {quote(new)}"))
