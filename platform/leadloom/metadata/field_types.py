"""The field types an admin can declare, and which options make sense for each.

A type's column mapping lives in ``model.columns``; its marshmallow field in
``records.schemas`` and its form field in ``web.fields``. A test checks that every type here
has all three adapters.
"""

from __future__ import annotations

from enum import StrEnum


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"
    EMAIL = "email"
    PHONE = "phone"
    REFERENCE = "reference"
    USER = "user"
    TAGS = "tags"


class MoneyUnit(StrEnum):
    """What a money field is entered and shown in; the stored value is always 元."""

    YUAN = "yuan"
    WAN = "wan"

    @property
    def factor(self) -> int:
        """元 per unit: 1, or 10,000 for 万."""
        return 10_000 if self is MoneyUnit.WAN else 1


NUMERIC = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY})
TEXTUAL = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE})
CHOICE = frozenset({FieldType.ENUM, FieldType.MULTI_ENUM})
RELATION = frozenset({FieldType.REFERENCE, FieldType.USER, FieldType.TAGS})

DEFAULT_LENGTH = {
    FieldType.STRING: 255,
    FieldType.EMAIL: 254,
    FieldType.PHONE: 32,
    FieldType.ENUM: 64,
    FieldType.MULTI_ENUM: 1024,
}

#: Which optional keys each type accepts beyond the common ones.
TYPE_OPTIONS: dict[FieldType, frozenset[str]] = {
    FieldType.STRING: frozenset({"length", "pattern"}),
    FieldType.TEXT: frozenset({"length", "pattern"}),
    FieldType.INTEGER: frozenset({"min", "max"}),
    FieldType.DECIMAL: frozenset({"min", "max"}),
    FieldType.MONEY: frozenset({"min", "max", "unit"}),
    FieldType.BOOLEAN: frozenset(),
    FieldType.DATE: frozenset({"min", "max"}),
    FieldType.DATETIME: frozenset(),
    FieldType.ENUM: frozenset({"options"}),
    FieldType.MULTI_ENUM: frozenset({"options"}),
    FieldType.EMAIL: frozenset(),
    FieldType.PHONE: frozenset(),
    FieldType.REFERENCE: frozenset({"to"}),
    FieldType.USER: frozenset(),
    FieldType.TAGS: frozenset({"group"}),
}

#: Types whose value is not a single column on the entity table.
NO_COLUMN = frozenset({FieldType.TAGS})
#: Types no database index helps: lists, long text, two-valued flags.
UNINDEXED = frozenset({FieldType.TAGS, FieldType.MULTI_ENUM, FieldType.BOOLEAN, FieldType.TEXT})
#: Types a list cannot sort by (several values per record).
UNSORTABLE = frozenset({FieldType.TAGS, FieldType.MULTI_ENUM})
