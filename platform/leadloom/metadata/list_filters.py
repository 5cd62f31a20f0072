"""List filters as short texts, the same in a list's address and in config's shared views.

One text per field:

- ``A,B`` one of these values (option codes, record or user ids, ``true``/``false``);
  on a text field, a part of the text;
- ``me`` / ``my_team`` on a user field (the owner included);
- ``FROM..TO`` a range on a date, time or number field, either end open; an end is a date
  (``2026-11-01``, the whole day), ``now``, ``today``, or days from today (``-30d``, ``+7d``);
- ``today``, ``this_week``, ``this_month``: that calendar period in the app's time zone;
- ``empty`` / ``!empty``: the field has no value / has one.

Parsing is pure and checks the text against the field's type; ``workflow.list_filters``
turns a parsed condition into SQL for one user at one moment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from leadloom.metadata.field_types import CHOICE, NUMERIC, TEXTUAL, FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, Label, Option, Unit

#: the system columns a list can filter on besides the declared fields
OWNER = Field("owner", Label("负责人", "Owner"), FieldType.USER)
CREATED_AT = Field("created_at", Label("创建时间", "Created at"), FieldType.DATETIME)
UNIT_LABEL = Label("业务单元", "Business unit")
PERIODS = ("today", "this_week", "this_month")
PEOPLE = ("me", "my_team")
TIMED = frozenset({FieldType.DATE, FieldType.DATETIME})
_DAYS = re.compile(r"^[+-]\d{1,4}d$")


@dataclass(frozen=True, slots=True)
class OneOf:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contains:
    text: str


@dataclass(frozen=True, slots=True)
class Empty:
    empty: bool


@dataclass(frozen=True, slots=True)
class People:
    """``me`` or ``my_team``: who the reader is decides the rows."""

    who: str


@dataclass(frozen=True, slots=True)
class Point:
    """One end of a range: ``now``; ``day`` (days from today); ``date``; ``number``."""

    kind: str
    value: object = None


@dataclass(frozen=True, slots=True)
class Span:
    """From ``start`` (inclusive) to ``end``; a day as ``end`` includes that whole day."""

    start: Point | None
    end: Point | None


@dataclass(frozen=True, slots=True)
class Period:
    code: str


Condition = OneOf | Contains | Empty | People | Span | Period


class FilterProblem(ValueError):
    """A filter text that does not fit its field; ``message`` says why in the user's words."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def filterable(entity: Entity, units: Sequence[Unit] = ()) -> dict[str, Field]:
    """The fields a list of ``entity`` can be filtered on, by code; with the app's
    ``units``, also the record's business unit (one of their codes)."""
    found = {f.code: f for f in entity.fields
             if f.type not in (FieldType.TAGS, FieldType.MULTI_ENUM)}
    if entity.owned:
        found["owner"] = OWNER
    found["created_at"] = CREATED_AT
    if units:
        found["unit"] = Field("unit", UNIT_LABEL, FieldType.ENUM,
                              options=tuple(Option(u.code, u.label) for u in units))
    return found


def parse(field: Field, text: str) -> Condition:
    """The condition ``text`` asks of ``field``; ``FilterProblem`` when it does not fit."""
    text = text.strip()
    if text in ("empty", "!empty"):
        return Empty(text == "empty")
    if field.type is FieldType.USER and text in PEOPLE:
        return People(text)
    if field.type in TIMED and text in PERIODS:
        return Period(text)
    if ".." in text and (field.type in TIMED or field.type in NUMERIC):
        start, end = text.split("..", 1)
        span = Span(_point(field, start), _point(field, end))
        if span.start is None and span.end is None:
            raise _problem(field, text)
        return span
    if field.type in TIMED:
        day = _point(field, text)
        return Span(day, day)
    if field.type in TEXTUAL:
        return Contains(text)
    values = tuple(v.strip() for v in text.split(",") if v.strip())
    if not values:
        raise _problem(field, text)
    for value in values:
        _check_value(field, value, text)
    return OneOf(values)


def _point(field: Field, text: str) -> Point | None:
    text = text.strip()
    if not text:
        return None
    if field.type in NUMERIC:
        try:
            return Point("number", Decimal(text))
        except InvalidOperation:
            raise _problem(field, text) from None
    if text == "now":
        return Point("now")
    if text == "today":
        return Point("day", 0)
    if _DAYS.match(text):
        return Point("day", int(text[:-1]))
    try:
        return Point("date", dt.date.fromisoformat(text))
    except ValueError:
        raise _problem(field, text) from None


def _check_value(field: Field, value: str, text: str) -> None:
    if field.type in CHOICE:
        if field.option(value) is None:
            raise _problem(field, text)
    elif field.type in (FieldType.REFERENCE, FieldType.USER, FieldType.INTEGER):
        if not value.lstrip("-").isdecimal():
            raise _problem(field, text)
    elif field.type is FieldType.BOOLEAN:
        if value not in ("true", "false"):
            raise _problem(field, text)
    elif field.type in NUMERIC:
        try:
            Decimal(value)
        except InvalidOperation:
            raise _problem(field, text) from None


def _problem(field: Field, text: str) -> FilterProblem:
    return FilterProblem(Message("%(field)s cannot be filtered by \"%(text)s\"",
                                 field=field.label, text=text))
