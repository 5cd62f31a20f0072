"""Numbers that are list addresses: each counts the rows of ``/<entity>/list/?...`` exactly
as that list counts them, so a number on the home page and the list behind it agree.

A list counts the rows of its shared view's filters overlaid by the address's own (fields
hidden from the reader left out), in the reader's scope (``access.scope_clause``), minus
the statuses the list keeps out (invalid leads, given by the web layer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.metadata.list_filters import filterable
from leadloom.model.indexes import list_order
from leadloom.model.tables import Models
from leadloom.workflow.list_filters import filters_clause

#: (entity, whether the address filters on ``status``) → the statuses the list keeps out
HiddenStatuses = Callable[[str, bool], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Link:
    """A list address: an entity's list, a shared view (``?view=``), filters by field code."""

    entity: str
    filters: tuple[tuple[str, str], ...] = ()
    view: str | None = None

    def where(self, **more: str) -> Link:
        """This address with more filters (a filter on the same field replaces it)."""
        kept = tuple((k, v) for k, v in self.filters if k not in more)
        return Link(self.entity, (*kept, *more.items()), self.view)

    @property
    def url(self) -> str:
        args = ([("view", self.view)] if self.view else []) + list(self.filters)
        return f"/{self.entity}/list/?{urlencode(args, safe=',.!')}"


@dataclass(frozen=True, slots=True)
class Figure:
    """How many rows the list at ``link`` shows, and the sum of an amount over them."""

    link: Link
    count: int
    amount: Decimal | None = None


class Lists:
    """Counts and rows of list addresses for one reader at one moment (``now``: naive UTC)."""

    def __init__(self, session: Session, models: Models, actor: Actor, now: dt.datetime,
                 hidden_statuses: HiddenStatuses) -> None:
        self.session = session
        self.models = models
        self.actor = actor
        self.now = now
        self.hidden_statuses = hidden_statuses

    def may_list(self, entity: str) -> bool:
        return rights(self.models.registry, self.actor, entity).allows("list")

    def clause(self, link: Link) -> sa.ColumnElement[bool]:
        """The rows the list at ``link`` shows, as a WHERE clause."""
        registry = self.models.registry
        entity = registry.entity(link.entity)
        view = next((v for v in entity.views if v.code == link.view), None)
        filters = dict(view.filters) if view else {}
        filters.update(link.filters)
        hidden = rights(registry, self.actor, link.entity).hidden
        filters = {k: v for k, v in filters.items() if k not in hidden}
        parts = [filters_clause(self.models, self.actor, entity, filters, self.now),
                 scope_clause(self.models, self.actor, link.entity)]
        kept_out = self.hidden_statuses(link.entity, "status" in dict(link.filters))
        if kept_out:
            status = self.models.cls(link.entity).status
            parts.append(sa.or_(status.is_(None), status.not_in(kept_out)))
        return sa.and_(*parts)

    def figure(self, link: Link, amount: str | None = None) -> Figure:
        """The count of ``link``'s list, with the sum of field ``amount`` if asked."""
        cls = self.models.cls(link.entity)
        columns: list[Any] = [sa.func.count(cls.id)]
        if amount:
            columns.append(sa.func.sum(getattr(cls, amount)))
        row = self.session.execute(sa.select(*columns).where(self.clause(link))).one()
        return Figure(link, row[0], _money(row[1]) if amount else None)

    def by(self, link: Link, field: str, values: Sequence[Any],
           amount: str | None = None) -> list[Figure]:
        """One figure per value of ``field`` (a filter code; in the order of ``values``):
        ``link`` narrowed to that value, counted in one query."""
        cls = self.models.cls(link.entity)
        column = self._column(link.entity, field)
        columns: list[Any] = [column, sa.func.count(cls.id)]
        if amount:
            columns.append(sa.func.sum(getattr(cls, amount)))
        found = {row[0]: row for row in self.session.execute(
            sa.select(*columns).where(self.clause(link), column.in_(values)).group_by(column))}
        return [Figure(link.where(**{field: str(v)}), found[v][1] if v in found else 0,
                       _money(found[v][2] if v in found else None) if amount else None)
                for v in values]

    def values(self, link: Link, field: str) -> list[Any]:
        """The distinct values of ``field`` among ``link``'s rows, most frequent first."""
        column = self._column(link.entity, field)
        return list(self.session.scalars(
            sa.select(column).where(self.clause(link), column.is_not(None))
            .group_by(column).order_by(sa.func.count().desc(), column)))

    def titles(self, entity: str, ids: Sequence[Any]) -> dict[Any, str]:
        """The titles of records ``ids`` of ``entity`` that the reader may see."""
        cls = self.models.cls(entity)
        title = getattr(cls, self.models.registry.entity(entity).title_field)
        return {pk: str(name) for pk, name in self.session.execute(
            sa.select(cls.id, title).where(cls.id.in_(ids),
                                          scope_clause(self.models, self.actor, entity)))}

    def _column(self, entity: str, field: str) -> Any:
        declared = filterable(self.models.registry.entity(entity))[field]
        return getattr(self.models.cls(entity), declared.column or declared.code)

    def rows(self, link: Link, order: str, limit: int) -> list[Any]:
        """The first ``limit`` records of ``link``'s list, ordered by field ``order`` as a list
        orders it (``model.indexes.list_order``: its index serves it)."""
        cls = self.models.cls(link.entity)
        column = getattr(cls, order).property.columns[0]
        return list(self.session.scalars(sa.select(cls).where(self.clause(link)).order_by(
            list_order(column, descending=False), cls.id).limit(limit)))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0)
