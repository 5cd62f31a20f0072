"""Which idle leads the nightly reclaim takes back to the pool, and which it warns about:
the one selection ``reclaim`` writes and ``leadloom check --reclaim`` counts.

The rule's ``exclude`` condition (``pools.reclaim.exclude``) sees the lead's fields and
three facts about it, read in one query each per run and only when the condition names
them:

- ``stage_position``: where the lead stands in its unit's funnel (1 = the first stage);
- ``open_contracts``: its linked records the funnel follows (contracts) whose followed
  field does not hold the confirmed value yet (a contract awaiting finance);
- ``open_approvals``: approval requests on the lead still pending.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadloom.metadata.funnels import Follows
from leadloom.metadata.lead_rules import RECLAIM_NAMES
from leadloom.model.workflow import workflow_classes
from leadloom.records.leads.open_leads import (
    activity,
    all_rules,
    field_columns,
    idle_clause,
    open_leads,
    row_values,
    unit_rules,
)
from leadloom.records.service import Context
from leadloom.workflow.approvals import PENDING
from leadloom.workflow.stages import funnel_of

DAY = dt.timedelta(days=1)
#: candidate leads whose facts are read per query
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Idle:
    """A lead without activity: ``days`` idle, ``left`` days before it goes back (0 or
    less: due now)."""

    row: Any
    days: int
    left: int

    @property
    def due(self) -> bool:
        return self.left <= 0


def idle_leads(ctx: Context, now: dt.datetime) -> Iterator[Idle]:
    """The open, owned leads in no pool that are due back or within their warning days,
    and that their unit's ``exclude`` condition does not keep out, oldest first."""
    rules = all_rules(ctx)
    shortest = min(r.pools.reclaim_after_days - r.pools.warn_days for _, r in rules)
    table = ctx.models.cls("lead").__table__
    columns = field_columns(ctx)
    candidates = open_leads(ctx, table.c.pool.is_(None), idle_clause(ctx, now, shortest))
    for chunk in _chunks(candidates):
        facts = Facts(ctx, chunk)
        for row in chunk:
            lead_rules = unit_rules(ctx, row.unit)
            pools = lead_rules.pools
            if not pools.reclaim_after_days:
                continue
            calendar = lead_rules.calendar
            days = (calendar.local_date(now) - calendar.local_date(activity(row))).days
            left = pools.reclaim_after_days - days
            if left > pools.warn_days:
                continue
            exclude = pools.reclaim_exclude
            if exclude is not None and exclude.test(
                    {**row_values(columns, row), **facts.of(row, exclude.names)},
                    now=now):
                continue
            yield Idle(row, days, left)


def would_reclaim(ctx: Context, now: dt.datetime) -> Counter[str | None]:
    """How many leads a reclaim at ``now`` would return, per unit; writes nothing."""
    return Counter(idle.row.unit for idle in idle_leads(ctx, now) if idle.due)


class Facts:
    """The reclaim facts of a chunk of leads, each read once and only when asked for."""

    NAMES = tuple(RECLAIM_NAMES)

    def __init__(self, ctx: Context, rows: list[Any]) -> None:
        self.ctx = ctx
        self.ids = [row.id for row in rows]
        self._counts: dict[str, Counter[int]] = {}

    def of(self, row: Any, names: Iterable[str]) -> dict[str, Any]:
        wanted = set(names) & set(self.NAMES)
        found: dict[str, Any] = {}
        if "stage_position" in wanted:
            found["stage_position"] = self._position(row)
        for name in wanted - {"stage_position"}:
            found[name] = self._count(name)[row.id]
        return found

    def _position(self, row: Any) -> int | None:
        funnel = funnel_of(self.ctx.registry, "lead", row.unit)
        if funnel is None:
            return None
        stage = funnel.stage(getattr(row, funnel.field, None))
        return 1 if stage is None else funnel.index(stage.code) + 1

    def _count(self, name: str) -> Counter[int]:
        if name not in self._counts:
            read = self._open_contracts if name == "open_contracts" else self._open_approvals
            self._counts[name] = read()
        return self._counts[name]

    def _open_approvals(self) -> Counter[int]:
        approval = workflow_classes(self.ctx.models.metadata).approval
        return Counter(self.ctx.session.scalars(sa.select(approval.record_id).where(
            approval.entity == "lead", approval.status == PENDING,
            approval.record_id.in_(self.ids))))

    def _open_contracts(self) -> Counter[int]:
        counts: Counter[int] = Counter()
        for follows in _followed(self.ctx):
            entity = self.ctx.registry.entity(follows.entity)
            table = self.ctx.models.cls(follows.entity).__table__
            link = table.c[entity.field(follows.link).column]
            field = table.c[entity.field(follows.field).column]
            counts.update(self.ctx.session.scalars(sa.select(link).where(
                link.in_(self.ids), sa.or_(field.is_(None), field != follows.value))))
        return counts


def _followed(ctx: Context) -> set[Follows]:
    """What the lead funnels follow (the contract and its confirmed finance status)."""
    return {stage.follows for funnel in ctx.registry.funnels if funnel.entity == "lead"
            for stage in funnel.stages if stage.follows is not None}


def _chunks(rows: Iterable[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
