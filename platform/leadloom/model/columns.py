"""How each field type is stored: one real column per field (tags: an association table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from leadloom.metadata.field_types import DEFAULT_LENGTH, FieldType
from leadloom.metadata.registry import Field

#: (precision, scale) of the exact numeric columns.
NUMERIC_DIGITS: dict[FieldType, tuple[int, int]] = {
    FieldType.MONEY: (14, 2), FieldType.DECIMAL: (18, 4)}
#: SQLite stores NUMERIC as a REAL, which keeps 15 significant digits exactly. The write
#: path accepts no more (``records.schemas``), so every value it accepts round-trips
#: exactly on SQLite as on PostgreSQL: money up to 12 digits before the point, decimals 11.
EXACT_DIGITS = 15
MONEY = sa.Numeric(*NUMERIC_DIGITS[FieldType.MONEY])
#: The integers a column holds: ``integer`` fields are BIGINT, ids (references, users,
#: owners, tags, records) INTEGER. The write path refuses values outside them.
BIGINT_RANGE = (-(2**63), 2**63 - 1)
ID_RANGE = (-(2**31), 2**31 - 1)


class CodeList(TypeDecorator[list[str]]):
    """A multi_enum value: a list of option codes, stored as one comma-joined string."""

    impl = sa.String(1024)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return ",".join(value) if not isinstance(value, str) else value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> list[str] | None:
        if value is None:
            return None
        return [code for code in value.split(",") if code]


def _string(field: Field) -> sa.types.TypeEngine[Any]:
    return sa.String(field.length or DEFAULT_LENGTH.get(field.type, 255))


COLUMN_TYPES: dict[FieldType, Callable[[Field], sa.types.TypeEngine[Any]]] = {
    FieldType.STRING: _string,
    FieldType.TEXT: lambda f: sa.Text(),
    FieldType.INTEGER: lambda f: sa.BigInteger(),
    FieldType.DECIMAL: lambda f: sa.Numeric(*NUMERIC_DIGITS[FieldType.DECIMAL]),
    FieldType.MONEY: lambda f: MONEY,
    FieldType.BOOLEAN: lambda f: sa.Boolean(),
    FieldType.DATE: lambda f: sa.Date(),
    FieldType.DATETIME: lambda f: sa.DateTime(),
    FieldType.ENUM: _string,
    FieldType.MULTI_ENUM: lambda f: CodeList(),
    FieldType.EMAIL: _string,
    FieldType.PHONE: _string,
    FieldType.REFERENCE: lambda f: sa.Integer(),
    FieldType.USER: lambda f: sa.Integer(),
}


def field_column(field: Field, table: str) -> sa.Column[Any]:
    """The column for ``field``; nullable, so adding a field never touches existing rows.

    Required-ness is enforced by the write path, and a default becomes a server default so
    rows that exist when the field is added get the value too.
    """
    column_type = COLUMN_TYPES[field.type](field)
    foreign: list[Any] = []
    if field.type is FieldType.REFERENCE:
        foreign = [sa.ForeignKey(f"{field.to}.id", name=f"fk_{table}_{field.column}")]
    return sa.Column(
        field.column, column_type, *foreign, nullable=True,
        unique=field.unique or None,
        server_default=_server_default(field),
        info={"field": field.code},
    )


def _server_default(field: Field) -> str | sa.TextClause | None:
    """A literal the database fills into existing and bulk-inserted rows."""
    if field.default is None:
        return None
    if field.type is FieldType.BOOLEAN:
        return sa.text("true" if field.default else "false")
    if field.type is FieldType.MULTI_ENUM:
        return ",".join(field.default)
    return str(field.default)
