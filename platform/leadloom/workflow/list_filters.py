"""A list's filters as SQL, for one reader at one moment.

The texts are parsed by ``metadata.list_filters`` (the same grammar in a list's address, in
config's shared views and in the home page's links), so a number on the home page and the
list it links to count the same rows. Days are the app's time zone's days; stored times are
naive UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.metadata.field_types import NUMERIC, TEXTUAL, FieldType
from leadloom.metadata.list_filters import (
    Condition,
    Contains,
    Empty,
    FilterProblem,
    OneOf,
    People,
    Period,
    Point,
    Span,
    filterable,
    parse,
)
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field
from leadloom.model.tables import Models


def filters_clause(models: Models, actor: Actor, entity: Entity, filters: Mapping[str, str],
                   now: dt.datetime) -> sa.ColumnElement[bool]:
    """Every filter of ``filters`` (field code → text) at once; ``now`` is naive UTC.

    Raises ``FilterProblem`` for an unknown field or a text that does not fit its field.
    """
    fields = filterable(entity, models.registry.units)
    cls = models.cls(entity.code)
    days = _Days(ZoneInfo(models.registry.app.timezone), now)
    clauses = []
    for code, text in filters.items():
        field = fields.get(code)
        if field is None:
            raise FilterProblem(Message("There is no field \"%(field)s\" to filter by",
                                        field=code))
        column = getattr(cls, field.column or field.code)
        clauses.append(_clause(models, actor, field, column, parse(field, text), days))
    return sa.and_(sa.true(), *clauses)


def _clause(models: Models, actor: Actor, field: Field, column: Any, condition: Condition,
            days: _Days) -> sa.ColumnElement[bool]:
    if isinstance(condition, Empty):
        blank = column.is_(None)
        if field.type in TEXTUAL:
            blank = sa.or_(blank, column == "")
        return blank if condition.empty else sa.not_(blank)
    if isinstance(condition, People):
        return _people(models, actor, column, condition.who)
    if isinstance(condition, Contains):
        return column.ilike(f"%{_escaped(condition.text)}%", escape="\\")
    if isinstance(condition, OneOf):
        return column.in_([_typed(field, v) for v in condition.values])
    if isinstance(condition, Period):
        start, end = days.period(condition.code)
        return sa.and_(column >= days.bound(field, start), column < days.bound(field, end))
    return _span(field, column, condition, days)


def _span(field: Field, column: Any, span: Span, days: _Days) -> sa.ColumnElement[bool]:
    parts = []
    if span.start is not None:
        parts.append(column >= days.start(field, span.start))
    if span.end is not None:
        end = days.end(field, span.end)
        parts.append(column <= end if span.end.kind == "number" else column < end)
    return sa.and_(*parts)


def _people(models: Models, actor: Actor, column: Any, who: str) -> sa.ColumnElement[bool]:
    if actor.user_id is None:
        return sa.false()
    if who == "my_team" and actor.team and models.org is not None:
        org = models.org
        return column.in_(sa.select(org.c.user_id).where(org.c.team == actor.team))
    return column == actor.user_id


def _typed(field: Field, value: str) -> Any:
    if field.type in (FieldType.REFERENCE, FieldType.USER, FieldType.INTEGER):
        return int(value)
    if field.type is FieldType.BOOLEAN:
        return value == "true"
    if field.type in NUMERIC:  # money and decimals: a text would not compare on PostgreSQL
        return Decimal(value)
    return value


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Days:
    """Local days of the app's time zone as bounds of a date or a (naive UTC) time column."""

    def __init__(self, zone: ZoneInfo, now: dt.datetime) -> None:
        self.zone = zone
        self.now = now
        self.today = now.replace(tzinfo=dt.UTC).astimezone(zone).date()

    def period(self, code: str) -> tuple[dt.date, dt.date]:
        if code == "this_week":
            monday = self.today - dt.timedelta(days=self.today.weekday())
            return monday, monday + dt.timedelta(days=7)
        if code == "this_month":
            first = self.today.replace(day=1)
            return first, (first + dt.timedelta(days=32)).replace(day=1)
        return self.today, self.today + dt.timedelta(days=1)

    def start(self, field: Field, point: Point) -> Any:
        if point.kind in ("number", "now"):
            return point.value if point.kind == "number" else self._now(field)
        return self.bound(field, self._day(point))

    def end(self, field: Field, point: Point) -> Any:
        """The first value past ``point``: a day ends where the next one starts."""
        if point.kind in ("number", "now"):
            return point.value if point.kind == "number" else self._now(field)
        return self.bound(field, self._day(point) + dt.timedelta(days=1))

    def bound(self, field: Field, day: dt.date) -> Any:
        if field.type is FieldType.DATE:
            return day
        midnight = dt.datetime.combine(day, dt.time(), self.zone)
        return midnight.astimezone(dt.UTC).replace(tzinfo=None)

    def _day(self, point: Point) -> dt.date:
        if point.kind == "date":
            return point.value  # type: ignore[return-value]
        return self.today + dt.timedelta(days=int(point.value))  # type: ignore[arg-type]

    def _now(self, field: Field) -> Any:
        return self.today if field.type is FieldType.DATE else self.now
