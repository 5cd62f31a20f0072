"""The columns of an export: the list's columns the reader may see, each with its header
and how its values read (``Kind``). Hidden fields are dropped here, whatever was asked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    OPTION = "option"
    OPTIONS = "options"
    REFERENCE = "reference"
    USER = "user"
    TAGS = "tags"
    UNIT = "unit"


KINDS = {
    FieldType.INTEGER: Kind.NUMBER, FieldType.DECIMAL: Kind.NUMBER, FieldType.MONEY: Kind.MONEY,
    FieldType.BOOLEAN: Kind.BOOLEAN, FieldType.DATE: Kind.DATE,
    FieldType.DATETIME: Kind.DATETIME, FieldType.ENUM: Kind.OPTION,
    FieldType.MULTI_ENUM: Kind.OPTIONS, FieldType.REFERENCE: Kind.REFERENCE,
    FieldType.USER: Kind.USER, FieldType.TAGS: Kind.TAGS,
}
#: columns every record has besides its fields: (table column, kind)
SYSTEM = {"owner": ("owner_id", Kind.USER), "unit": ("unit", Kind.UNIT),
          "created_at": ("created_at", Kind.DATETIME),
          "updated_at": ("updated_at", Kind.DATETIME)}


@dataclass(frozen=True, slots=True)
class Column:
    code: str
    header: str
    kind: Kind
    #: the table column holding it (``None``: tags, kept in a link table)
    source: str | None
    field: Field | None = None


def export_columns(view: Entity, codes: Iterable[str], hidden: frozenset[str],
                   headers: Mapping[str, str]) -> list[Column]:
    """``codes`` that ``view`` has (or every record has) and the reader may see, in order,
    each once; ``headers``: their labels in the reader's language."""
    found: list[Column] = []
    for code in dict.fromkeys(codes):
        if code in hidden:
            continue
        header = headers.get(code, code)
        if view.has_field(code):
            f = view.field(code)
            found.append(Column(code, header, KINDS.get(f.type, Kind.TEXT), f.column, f))
        elif code in SYSTEM and (code != "owner" or view.owned):
            source, kind = SYSTEM[code]
            found.append(Column(code, header, kind, source))
    return found
