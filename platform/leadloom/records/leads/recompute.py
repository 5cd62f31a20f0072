"""Recomputing the open leads when a publish or a rollback changes the rules their derived
values come from (grade, value, deadlines, the tasks due then); closed leads keep theirs.

One run per config version, a row in ``ll_recompute_run``. ``begin`` adds it when the
version's rules fingerprint differs from the one the leads were last brought to (the
latest run's, not any earlier one: a rollback to an old version recomputes again); a
version with the same fingerprint gets an ``unchanged`` row and recomputes nothing.

The work goes in batches of ``BATCH`` leads by id, each its own short transaction, so
readers are never held up. A batch starts by updating the run's row, which locks it
(a row lock on PostgreSQL, the write lock on SQLite): a second process waits, then goes
on from the cursor the first one left, so no batch is done twice, and a process that
died mid-way leaves the cursor at its last committed batch for the next one to finish.
Each change goes through the write path (``records.bulk_update``: rules, audit, hooks)
with its history rows (reason "config vN"); each owner gets one message at the end.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadloom.metadata.messages import Message
from leadloom.model.leads import RECOMPUTE_TABLE
from leadloom.model.tables import Models
from leadloom.records.errors import Conflict
from leadloom.records.leads import clock
from leadloom.records.leads.derived import (
    DERIVED_FIELDS,
    DUE_FIELDS,
    derive,
    lead_values,
    override_times,
)
from leadloom.records.leads.events import event_row, record_events
from leadloom.records.leads.nested import nested_bulk_update
from leadloom.records.leads.notices import RECOMPUTED
from leadloom.records.leads.pipeline import QUIET
from leadloom.records.leads.sla import GIVEN
from leadloom.records.notify import Note, notify_many
from leadloom.records.service import Context, commit

BATCH = 500
RUNNING, DONE, UNCHANGED, SUPERSEDED = "running", "done", "unchanged", "superseded"
#: a batch that loses a race with a user's write is redone this many times
RETRIES = 3
WORKER = f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass(frozen=True, slots=True)
class Run:
    """One version's recompute, as its row says."""

    version: int
    state: str
    total: int
    checked: int
    changed: int
    due_changed: int
    grade_changed: int

    @property
    def percent(self) -> int:
        if self.state != RUNNING:
            return 100
        return min(99, self.checked * 100 // self.total) if self.total else 0

    def summary(self) -> str:
        """The publisher's one line (the CLI's; the screens translate their own)."""
        return (f"recomputed {self.checked} open leads; deadlines changed "
                f"{self.due_changed}; grades changed {self.grade_changed}")


def run_of(session: Session, models: Models, version: int | None) -> Run | None:
    """Version ``version``'s run, if it has one (what the version's page shows)."""
    table = models.metadata.tables[RECOMPUTE_TABLE]
    row = session.execute(sa.select(table).where(table.c.version == version)).first()
    return _run(row) if row else None


def begin(ctx: Context, still_active: Callable[[], bool] = lambda: True) -> Run | None:
    """The active version's run: added (and committed) if there is none yet, ``unchanged``
    when its fingerprint is the one the leads were last brought to. None: no lead rules,
    or a newer version is active (this process has not switched to it yet)."""
    rules = ctx.registry.lead_rules
    version = ctx.registry.version
    if rules is None or version is None or not still_active():
        return None
    table = _table(ctx)
    found = run_of(ctx.session, ctx.models, version)
    if found is not None:
        return found
    latest = ctx.session.execute(sa.select(table).order_by(table.c.version.desc())
                                 .limit(1)).first()
    if latest is not None and latest.version > version:
        return None
    same = latest is not None and latest.fingerprint == rules.fingerprint and (
        latest.state in (DONE, UNCHANGED))
    now = clock.now()
    dialect = ctx.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    ctx.session.execute(insert.values(
        version=version, fingerprint=rules.fingerprint, state=UNCHANGED if same else RUNNING,
        started_at=now, finished_at=now if same else None, total=0 if same else _open(ctx),
        last_id=0, checked=0, changed=0, due_changed=0, grade_changed=0, owners={})
        .on_conflict_do_nothing(index_elements=["version"]))
    if not same and latest is not None and latest.state == RUNNING:
        ctx.session.execute(sa.update(table).where(table.c.version == latest.version)
                            .values(state=SUPERSEDED, finished_at=now))
    commit(ctx)
    return run_of(ctx.session, ctx.models, version)


def recompute(ctx: Context, *, still_active: Callable[[], bool] = lambda: True,
              progress: Callable[[Run], None] | None = None) -> Run | None:
    """Begin the active version's run if needed and do (or finish) it, batch by batch.

    :param still_active: asked before each batch; False (a newer version was published)
        ends the run as ``superseded``: the newer version's run recomputes every lead.
    :param progress: told of the run after each batch.
    :returns: the run as it ended, or None when there was nothing to do (no lead rules,
        the rules did not change, or the run was over already).
    """
    run = begin(ctx, still_active)
    if run is None or run.state != RUNNING:
        return None
    while run is not None and run.state == RUNNING:
        run = _step(ctx, run.version, still_active)
        if progress is not None and run is not None:
            progress(run)
    return run


def _step(ctx: Context, version: int, still_active: Callable[[], bool]) -> Run | None:
    """One batch, in its own transaction, with the run's row locked for it."""
    for _ in range(RETRIES + 1):
        try:
            return _batch(ctx, version, still_active)
        except Conflict:  # a user changed one of the leads meanwhile: redo the batch
            ctx.session.rollback()
    raise Conflict("the leads kept changing while they were recomputed; run it again")


def _batch(ctx: Context, version: int, still_active: Callable[[], bool]) -> Run | None:
    table = _table(ctx)
    now = clock.now()
    claimed = ctx.session.execute(sa.update(table).where(
        table.c.version == version, table.c.state == RUNNING).values(beat_at=now,
                                                                    worker=WORKER))
    if claimed.rowcount == 0:  # finished (or superseded) by another process
        ctx.session.rollback()
        return run_of(ctx.session, ctx.models, version)
    if not still_active():
        ctx.session.execute(sa.update(table).where(table.c.version == version)
                            .values(state=SUPERSEDED, finished_at=now))
        commit(ctx)
        return run_of(ctx.session, ctx.models, version)
    row = ctx.session.execute(sa.select(table).where(table.c.version == version)).one()
    lead = ctx.models.cls("lead").__table__
    leads = list(ctx.session.execute(sa.select(lead).where(
        lead.c.id > row.last_id, lead.c.status.in_(_open_statuses(ctx)))
        .order_by(lead.c.id).limit(BATCH)))
    if not leads:
        _finish(ctx, row, now)
    else:
        counts = _recompute(ctx, leads, version, now)
        owners = dict(row.owners)
        for owner, tally in counts.pop("owners").items():
            before = owners.get(str(owner), [0, 0, 0])
            owners[str(owner)] = [a + b for a, b in zip(before, tally, strict=True)]
        ctx.session.execute(sa.update(table).where(table.c.version == version).values(
            last_id=leads[-1].id, owners=owners,
            **{k: getattr(row, k) + v for k, v in counts.items()}))
    commit(ctx)
    return run_of(ctx.session, ctx.models, version)


def _recompute(ctx: Context, leads: list[Any], version: int, now: Any) -> dict[str, Any]:
    """Bring one batch of open leads to the rules: the leads whose derived values differ
    are updated through the write path (the lead hook re-grades them, the deadlines given
    are kept, their open tasks follow), with a history row per deadline and value."""
    entity = ctx.registry.entity("lead")
    rules_set = ctx.registry.lead_rules
    assert rules_set is not None
    reason = f"config v{version}"
    overrides = override_times(ctx.session, ctx.models, {
        r.id: r.grade_override for r in leads if r.grade_override})
    changes: dict[int, dict[str, Any]] = {}
    found: dict[int, tuple[int | None, bool, bool]] = {}
    events = []
    checked = 0
    for row in leads:
        rules = rules_set.for_unit(row.unit)
        if row.status not in rules.open_statuses:
            continue
        checked += 1
        values = lead_values(entity, row)
        fresh = derive(rules, values, overrides.get(row.id), now)
        moved = [code for code in DERIVED_FIELDS if fresh[code] != values.get(code)]
        if not moved:
            continue
        changes[row.id] = {code: fresh[code] for code in DUE_FIELDS if code in moved}
        found[row.id] = (row.owner_id, bool(changes[row.id]), "grade" in moved)
        events += [event_row(ctx, row.id, _kind(code), old=_shown(rules, values.get(code)),
                             new=_shown(rules, fresh[code]), reason=reason,
                             detail={"field": code, "version": version})
                   for code in moved if code in (*DUE_FIELDS, "value_level")]
    job = dataclasses.replace(ctx, meta={**ctx.meta, GIVEN: True, QUIET: True, "grade_event": {
        "reason": reason, "source": "recompute", "version": version}})
    updated = set(nested_bulk_update(job, "lead", changes)) if changes else set()
    record_events(ctx, [e for e in events if e["lead_id"] in updated])
    owners: dict[int, list[int]] = {}
    for pk in updated:
        owner, due, grade = found[pk]
        if owner is not None:
            tally = owners.setdefault(owner, [0, 0, 0])
            tally[0] += 1
            tally[1] += due
            tally[2] += grade
    return {"checked": checked, "changed": len(updated),
            "due_changed": sum(found[pk][1] for pk in updated),
            "grade_changed": sum(found[pk][2] for pk in updated), "owners": owners}


def _finish(ctx: Context, row: Any, now: Any) -> None:
    """The run is done: each owner whose leads changed hears of it once."""
    version = row.version
    notes = [Note(int(owner), "recompute", Message(
        RECOMPUTED, version=version, count=n, due=due, grades=grade),
        "/lead/list/?owner=me", f"recompute:{version}:{owner}")
        for owner, (n, due, grade) in sorted(row.owners.items(), key=lambda i: int(i[0]))]
    notify_many(ctx, notes)
    table = _table(ctx)
    ctx.session.execute(sa.update(table).where(table.c.version == version)
                        .values(state=DONE, finished_at=now))


def _kind(code: str) -> str:
    return "value" if code == "value_level" else "deadline"


def _shown(rules: Any, value: Any) -> Any:
    """A deadline as the history shows it (local time); other values as they are."""
    if value is None or not hasattr(value, "hour"):
        return value
    return rules.calendar.local(value).strftime("%Y-%m-%d %H:%M")


def _open_statuses(ctx: Context) -> list[str]:
    """Every unit's open statuses (each lead is then checked against its unit's)."""
    rules = ctx.registry.lead_rules
    assert rules is not None
    every = [rules.base, *(r for _, r in rules.units)]
    return sorted({s for r in every for s in r.open_statuses})


def _open(ctx: Context) -> int:
    lead = ctx.models.cls("lead").__table__
    return int(ctx.session.scalar(sa.select(sa.func.count()).select_from(lead).where(
        lead.c.status.in_(_open_statuses(ctx)))) or 0)


def _table(ctx: Context) -> sa.Table:
    return ctx.models.metadata.tables[RECOMPUTE_TABLE]


def _run(row: Any) -> Run:
    return Run(row.version, row.state, row.total, row.checked, row.changed, row.due_changed,
               row.grade_changed)
