"""The funnel board of one unit: a column per stage with its count and expected amount,
the most recently changed cards, and the won figures (only finance-confirmed deals count).
Every query goes through the reader's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.access.people import display_name
from leadloom.metadata.funnels import Funnel, Stage
from leadloom.metadata.registry import Entity, FieldType, Registry
from leadloom.model.tables import Models
from leadloom.model.workflow import workflow_classes
from leadloom.workflow.stages import funnel_of, stage_label


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    #: the record's number (its first unique text field, e.g. lead_no); None without one
    number: str | None
    title: str
    amount: Decimal | None
    owner_id: int | None
    version: int
    #: when the record entered its stage (None: not recorded)
    since: dt.datetime | None
    stalled: bool
    pending: bool


@dataclass(frozen=True, slots=True)
class Column:
    stage: Stage
    label: str
    count: int
    amount: Decimal
    cards: tuple[Card, ...]


@dataclass(frozen=True, slots=True)
class Won:
    """Won records (finance confirmed their contract) and the confirmed amount; ``amount``
    is None when the reader may not see the contracts."""

    count: int
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Board:
    entity: str
    unit: str | None
    funnel: Funnel
    columns: tuple[Column, ...]
    won: Won
    amount_visible: bool

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)


def board(session: Session, models: Models, actor: Actor, entity: str, unit: str | None,
          locale: str, *, limit: int = 30, now: dt.datetime | None = None,
          exclude: tuple[str, ...] = (), equal: Mapping[str, Any] | None = None
          ) -> Board | None:
    """The board of ``entity`` in ``unit`` as ``actor`` sees it; None without a funnel or
    without the right to list the entity. ``exclude``: statuses the lists leave out (the
    board shows what the lists show); ``equal``: column → value filters (owner, grade)."""
    registry = models.registry
    funnel = funnel_of(registry, entity, unit)
    if funnel is None or not rights(registry, actor, entity).allows("list"):
        return None
    view = registry.view(entity, unit)
    cls = models.cls(entity)
    stage_col = sa.func.coalesce(getattr(cls, funnel.field), funnel.stages[0].code)
    hidden = rights(registry, actor, entity).hidden
    amount_visible = funnel.amount is not None and funnel.amount not in hidden
    amount_col = getattr(cls, funnel.amount) if amount_visible and funnel.amount else None
    where = [*listed(models, actor, entity, unit, exclude),
             *(getattr(cls, c) == v for c, v in (equal or {}).items())]
    totals = {code: (n, total or Decimal(0)) for code, n, total in session.execute(
        sa.select(stage_col, sa.func.count(cls.id),
                  sa.func.sum(amount_col) if amount_col is not None else sa.null())
        .where(*where).group_by(stage_col))}
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    columns = []
    for stage in funnel.stages:
        rows = session.scalars(sa.select(cls).where(*where, stage_col == stage.code)
                               .order_by(cls.updated_at.desc(), cls.id.desc())
                               .limit(limit)).unique().all()
        columns.append(Column(stage, stage_label(view, funnel, stage.code, locale),
                              *totals.get(stage.code, (0, Decimal(0))),
                              _cards(session, models, entity, view, funnel, stage, rows,
                                     amount_col is not None, moment)))
    won = _won(session, models, actor, entity, funnel, where, columns)
    return Board(entity, unit, funnel, tuple(columns), won, amount_visible)


def listed(models: Models, actor: Actor, entity: str, unit: str | None,
           exclude: tuple[str, ...]) -> list[sa.ColumnElement[bool]]:
    """The rows of ``unit`` the reader's lists show: their scope, less excluded statuses."""
    cls = models.cls(entity)
    where = [scope_clause(models, actor, entity),
             cls.unit == unit if unit else cls.unit.is_(None)]
    if exclude:
        where.append(sa.or_(cls.status.is_(None), cls.status.not_in(exclude)))
    return where


def owners(session: Session, models: Models, actor: Actor, entity: str, unit: str | None,
           exclude: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """The owners of the rows the reader sees on the board, by name: the owner filter."""
    cls = models.cls(entity)
    ids = sa.select(cls.owner_id).where(*listed(models, actor, entity, unit, exclude))
    rows = session.execute(sa.select(User.id, User.first_name, User.last_name, User.username)
                           .where(User.id.in_(ids)))
    return sorted(((r.id, display_name(r.first_name, r.last_name, r.username))
                   for r in rows), key=lambda pair: pair[1])


def _cards(session: Session, models: Models, entity: str, view: Entity, funnel: Funnel,
           stage: Stage, rows: Sequence[Any], amounts: bool, now: dt.datetime
           ) -> tuple[Card, ...]:
    if not rows:
        return ()
    classes = workflow_classes(models.metadata)
    ids = [r.id for r in rows]
    since: dict[int, dt.datetime] = dict(session.execute(
        sa.select(classes.stage.record_id, sa.func.max(classes.stage.at))
        .where(classes.stage.entity == entity, classes.stage.record_id.in_(ids))
        .group_by(classes.stage.record_id)).all())
    pending = set(session.scalars(sa.select(classes.approval.record_id).where(
        classes.approval.open_key.in_([f"{entity}:{i}" for i in ids]))))
    title, number = view.title_field, number_field(view)
    cards = []
    for r in rows:
        entered = since.get(r.id)
        stalled = bool(stage.stall_days and not stage.closed and entered is not None
                       and (now - entered).days > stage.stall_days)
        cards.append(Card(r.id, getattr(r, number) if number else None,
                          str(getattr(r, title, None) or f"#{r.id}"),
                          getattr(r, funnel.amount) if amounts and funnel.amount else None,
                          getattr(r, "owner_id", None), r.version, entered, stalled,
                          r.id in pending))
    return tuple(cards)


def number_field(view: Entity) -> str | None:
    """The field that numbers the records: the first unique text field but the title."""
    return next((f.code for f in view.fields if f.unique and f.type == FieldType.STRING
                 and f.code != view.title_field), None)


def _won(session: Session, models: Models, actor: Actor, entity: str, funnel: Funnel,
         where: list[Any], columns: list[Column]) -> Won:
    """Won = in a won stage, which only a finance-confirmed contract leads to; the amount
    is what finance confirmed."""
    count = sum(c.count for c in columns if c.stage.outcome == "won")
    follows = next((s.follows for s in funnel.stages if s.follows is not None), None)
    if follows is None:
        return Won(count, sum((c.amount for c in columns if c.stage.outcome == "won"),
                              Decimal(0)))
    amount_field = _confirmed_amount(models.registry, follows.entity)
    if amount_field is None or not rights(models.registry, actor, follows.entity).allows(
            "list") or amount_field in rights(models.registry, actor, follows.entity).hidden:
        return Won(count, None)
    linked = models.cls(follows.entity)
    union = models.registry.entity(follows.entity)
    cls = models.cls(entity)
    link = getattr(linked, union.field(follows.link).column)
    total = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(getattr(linked, amount_field)), 0))
        .where(getattr(linked, union.field(follows.field).column) == follows.value,
               link.in_(sa.select(cls.id).where(*where))))
    return Won(count, Decimal(str(total or 0)))


def _confirmed_amount(registry: Registry, entity: str) -> str | None:
    flow = next((w for w in registry.workflows
                 if w.entity == entity and w.confirmation is not None), None)
    return flow.confirmation.confirmed_amount if flow and flow.confirmation else None
