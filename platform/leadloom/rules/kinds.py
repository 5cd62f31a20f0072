"""The kinds of values an expression handles, and which kind each field type gives."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    BOOL = "bool"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"
    #: ``null``, or a value whose kind is only known when evaluating
    ANY = "any"


#: field type (``metadata.FieldType`` values) → kind; a Kind's own value maps to itself
_FIELD_KINDS = {
    "string": Kind.TEXT, "text": Kind.TEXT, "email": Kind.TEXT, "phone": Kind.TEXT,
    "enum": Kind.TEXT, "multi_enum": Kind.LIST, "tags": Kind.LIST, "integer": Kind.NUMBER,
    "decimal": Kind.NUMBER, "money": Kind.NUMBER, "boolean": Kind.BOOL, "date": Kind.DATE,
    "datetime": Kind.DATETIME, "reference": Kind.NUMBER, "user": Kind.NUMBER,
    **{k.value: k for k in Kind},
}


def kind_of(field_type: str) -> Kind:
    """The kind of a field type (``"money"`` → number) or of a kind name.

    :raises KeyError: an unknown type name.
    """
    return _FIELD_KINDS[str(field_type)]


def compatible(a: Kind, b: Kind) -> bool:
    """Whether values of kinds ``a`` and ``b`` may be compared or combined."""
    if Kind.ANY in (a, b) or a == b:
        return True
    return {a, b} == {Kind.DATE, Kind.DATETIME}
