"""The SLA records of leads (``ll_sla_record``), derived from what the lead holds.

A first-touch SLA runs from each assignment (``assigned_at`` → ``first_touch_due_at``) and
is met by the first contact; a cadence SLA runs from each follow-up to the next deadline
of the grade's cadence and is met by the next follow-up. Each is ``pending`` until due,
then ``breached``; once met, ``met`` or ``breached_then_met`` with how late it came.

The records are a function of the lead's stored values, so the write path derives them
after every lead write that touches those values (single or batch, the same way: one read
and a handful of statements per chunk of leads) and after follow-ups change the lead's
figures; a recompute that moves a deadline through ``bulk_update`` re-derives them too.
A pending SLA that no longer applies (the lead was reassigned, went to the pool or closed)
is dropped; a breached one stays, as the record of that owner's breach.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadloom.model.sla_records import SLA_RECORD_TABLE
from leadloom.records.appends import append_rows
from leadloom.records.leads import clock
from leadloom.records.leads.sla import cadence_due

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leadloom.model import Models
    from leadloom.records.service import Context

#: the lead's fields the SLA records follow: a write that changes none leaves them alone
FOLLOWS = ("owner", "grade", "status", "assigned_at", "first_touch_due_at",
           "first_contact_at", "last_followup_at", "next_followup_due_at")
CHUNK = 5000
MINUTE = dt.timedelta(minutes=1)


@dataclass(slots=True)
class Sla:
    """One SLA as derived: the row it should be (``id`` of the stored one, if any)."""

    lead_id: int
    kind: str
    started_at: dt.datetime
    due_at: dt.datetime
    met_at: dt.datetime | None
    owner_id: int | None
    unit: str | None
    grade: str | None
    id: int | None = None

    def row(self, now: dt.datetime) -> dict[str, Any]:
        state, breached, late = state_of(self.due_at, self.met_at, now)
        return {"lead_id": self.lead_id, "kind": self.kind, "state": state,
                "owner_id": self.owner_id, "unit": self.unit, "grade": self.grade,
                "started_at": self.started_at, "due_at": self.due_at, "met_at": self.met_at,
                "breached_at": breached, "late_minutes": late}


def state_of(due: dt.datetime, met: dt.datetime | None, now: dt.datetime
             ) -> tuple[str, dt.datetime | None, int | None]:
    """(state, breached at, minutes late) of an SLA due at ``due`` and met at ``met``."""
    if met is not None:
        if met <= due:
            return "met", None, None
        return "breached_then_met", due, math.ceil((met - due) / MINUTE)
    if due <= now:
        return "breached", due, None
    return "pending", None, None


def touches(change: Any) -> bool:
    """Whether a lead write may change its SLA records."""
    return change.creating or any(change.changed(code) for code in FOLLOWS)


def derive(ctx: Context, lead_ids: Iterable[int]) -> None:
    """Bring the SLA records of ``lead_ids`` in line with the leads' stored values."""
    ids = sorted(set(lead_ids))
    now = clock.now()
    for start in range(0, len(ids), CHUNK):
        _derive_chunk(ctx, ids[start:start + CHUNK], now)


def _derive_chunk(ctx: Context, ids: list[int], now: dt.datetime) -> None:
    lead = ctx.models.cls("lead").__table__
    table = ctx.models.metadata.tables[SLA_RECORD_TABLE]
    leads = list(ctx.session.execute(sa.select(
        lead.c.id, lead.c.owner_id, lead.c.unit, lead.c.grade, lead.c.status,
        lead.c.assigned_at, lead.c.first_touch_due_at, lead.c.first_contact_at,
        lead.c.last_followup_at, lead.c.next_followup_due_at).where(lead.c.id.in_(ids))))
    stored: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in ctx.session.execute(sa.select(table).where(table.c.lead_id.in_(ids))
                                   .order_by(table.c.started_at)):
        stored[(row.lead_id, row.kind)].append(row)
    since = {row.id: _latest(stored[(row.id, "cadence")]) for row in leads
             if row.last_followup_at is not None
             and row.last_followup_at != _latest(stored[(row.id, "cadence")])}
    followups = _followup_times(ctx, since)
    wanted: list[Sla] = []
    for row in leads:
        rules = ctx.registry.lead_rules.for_unit(row.unit)  # type: ignore[union-attr]
        is_open = row.owner_id is not None and row.status in rules.open_statuses
        wanted += _first_touch(row, is_open, stored[(row.id, "first_touch")])
        wanted += _cadence(row, is_open, stored[(row.id, "cadence")],
                           followups.get(row.id, []), rules)
    _write(ctx, table, stored, wanted, now)


def _latest(rows: list[Any]) -> dt.datetime | None:
    return rows[-1].started_at if rows else None


def _first_touch(row: Any, is_open: bool, stored: list[Any]) -> list[Sla]:
    """The SLA of the lead's current assignment; none for a reassignment after the first
    contact. (A contact logged as having happened before the lead was entered meets the
    SLA its entry started.)"""
    start, due, met = row.assigned_at, row.first_touch_due_at, row.first_contact_at
    if start is None or due is None:
        return []
    if met is not None and met < start and all(r.started_at != start for r in stored):
        return []
    if met is None and not is_open:
        return []
    return [Sla(row.id, "first_touch", start, due, met, row.owner_id, row.unit, row.grade)]


def _cadence(row: Any, is_open: bool, stored: list[Any], times: list[dt.datetime],
             rules: Any) -> list[Sla]:
    """The cadence SLAs from the last stored one on: each follow-up since starts one, met
    by the next; the latest runs to the lead's next follow-up deadline (open leads only)."""
    last = row.last_followup_at
    if last is None:
        return []
    previous = stored[-1] if stored else None
    starts = ([previous.started_at] if previous else []) + times
    if not starts or starts[-1] != last:
        starts.append(last)
    found = []
    for i, start in enumerate(starts):
        met = starts[i + 1] if i + 1 < len(starts) else None
        if met is None:
            due = row.next_followup_due_at
            if due is None or not is_open:
                continue
        elif previous is not None and i == 0:
            due = previous.due_at
        else:
            due = cadence_due(rules, row.grade, start)
        found.append(Sla(row.id, "cadence", start, due, met, row.owner_id, row.unit,
                         row.grade))
    return found


def _followup_times(ctx: Context, since: dict[int, dt.datetime | None]
                    ) -> dict[int, list[dt.datetime]]:
    """lead id → the times of its follow-ups after ``since[lead id]`` (all when None)."""
    if not since:
        return {}
    followup = ctx.models.cls("followup").__table__
    found: dict[int, list[dt.datetime]] = defaultdict(list)
    for lead_id, moment in ctx.session.execute(
            sa.select(followup.c.lead_id, followup.c.occurred_at).distinct()
            .where(followup.c.lead_id.in_(sorted(since)))
            .order_by(followup.c.lead_id, followup.c.occurred_at)):
        after = since[lead_id]
        if after is None or moment > after:
            found[lead_id].append(moment)
    return found


def _write(ctx: Context, table: sa.Table, stored: dict[tuple[int, str], list[Any]],
           wanted: list[Sla], now: dt.datetime) -> None:
    """Insert the new SLAs, update the changed ones; of the pending ones no longer wanted,
    drop those not due yet and keep the overdue as breached: one statement each."""
    by_start = {(r.lead_id, r.kind, r.started_at): r for rows in stored.values() for r in rows}
    kept: set[int] = set()
    inserts, updates = [], []
    for sla in wanted:
        row = sla.row(now)
        old = by_start.get((sla.lead_id, sla.kind, sla.started_at))
        if old is None:
            inserts.append(row)
            continue
        kept.add(old.id)
        if any(getattr(old, k) != v for k, v in row.items()):
            updates.append({"b_id": old.id, **row})
    left = [r for r in by_start.values() if r.id not in kept and r.state == "pending"]
    dropped = [r.id for r in left if r.due_at > now]
    overdue = [r.id for r in left if r.due_at <= now]  # the job had not come by yet
    if overdue:
        ctx.session.execute(sa.update(table).where(table.c.id.in_(overdue)).values(
            state="breached", breached_at=table.c.due_at))
    if dropped:
        ctx.session.execute(sa.delete(table).where(table.c.id.in_(dropped)))
    if updates:
        ctx.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
            **{k: sa.bindparam(k) for k in updates[0] if k != "b_id"}), updates)
    append_rows(ctx.session, table, inserts)


def mark_breached(ctx: Context, now: dt.datetime) -> int:
    """Pending SLAs whose deadline has passed become ``breached`` (one UPDATE); returns
    how many."""
    table = ctx.models.metadata.tables[SLA_RECORD_TABLE]
    result = ctx.session.execute(sa.update(table).where(
        table.c.state == "pending", table.c.due_at <= now).values(
        state="breached", breached_at=table.c.due_at))
    return int(result.rowcount or 0)


def latest_slas(session: Session, models: Models, lead_id: int) -> dict[str, Any]:
    """The lead's latest SLA row of each kind (what its page shows), by kind."""
    table = models.metadata.tables[SLA_RECORD_TABLE]
    rows = session.execute(sa.select(table).where(table.c.lead_id == lead_id)
                               .order_by(table.c.started_at))
    return {row.kind: row for row in rows}
