"""``leadloom demo-data``: the demo organisation plus N realistic, reproducible leads.

Leads are simulated in creation order and written in chunks through the write path's bulk
API (``records.bulk_create``) as the system actor, so every row passes the same checks as a
form would; each lead's dated stage path goes in with ``records.load_moves``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import Flask

from leadloom.access import Actor
from leadloom.demo.ahead import planned_ahead
from leadloom.demo.planner import LeadBundle
from leadloom.demo.users import DEMO_USERS, ensure_users
from leadloom.demo.workdays import AS_OF, to_utc
from leadloom.metadata.lead_rules import LeadRulesSet
from leadloom.model.indexes import build_after_load, drop_for_load, list_indexes
from leadloom.model.storage import refresh_statistics
from leadloom.records import (
    LOADED_PATHS,
    Context,
    Move,
    bulk_create,
    load_approvals,
    load_moves,
)
from leadloom.records.leads.event_tasks import HISTORY_NOW
from leadloom.records.leads.sla import cadence_due, first_touch_due
from leadloom.web.state import state
from leadloom.workflow.stages import funnel_of

CHUNK = 5000
#: leads written before the first ANALYZE; the next comes when they have doubled. The
#: write path's look-ups (查重 keys, the leads a batch touches) are planned from the
#: statistics, and autovacuum may be off or behind a load: at 100k leads on a server
#: without it, one 查重 look-up took seconds by the end (a scan, planned for an empty table)
STATISTICS_FROM = 2000
ENTITIES = ("lead", "account", "contact", "followup", "task", "contract", "stage move",
            "approval")
#: the entity tables the generator fills
WRITTEN = ENTITIES[:6]
#: from this many leads, the indexes only lists read are built after the load
#: (``model.indexes``); below, dropping and building them costs more than it saves
INDEXES_AFTER_FROM = 20_000


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What one run did; ``existing`` > 0 means leads were already there and none were made."""

    users: int
    counts: tuple[tuple[str, int], ...] = ()
    seconds: float = 0.0
    existing: int = 0
    seed: int = 0
    #: where the time went: ("planning", s: waiting for the planner, which runs ahead in
    #: its own process), then writing each entity and history table
    phases: tuple[tuple[str, float], ...] = ()

    def count(self, entity: str) -> int:
        return dict(self.counts).get(entity, 0)

    def __str__(self) -> str:
        head = f"demo data: {self.users} users ready"
        if self.existing:
            return (f"{head}; {self.existing} leads already present, no data generated "
                    f"({self.seconds:.1f} s)")
        parts = ", ".join(f"{n} {entity}s" for entity, n in self.counts)
        return f"{head}; created {parts} (seed {self.seed}) in {self.seconds:.1f} s"


def generate_demo(app: Flask, *, leads: int, seed: int, password: str,
                  as_of: dt.datetime = AS_OF,
                  progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Create the demo users, then ``leads`` leads with their history, once per database.

    Users are created or updated on every call; data is generated only if the lead table
    is empty, so a second run adds nothing. Each chunk of ``CHUNK`` leads (with its
    accounts, follow-ups ...) is committed on its own: after a crash, empty the tables
    before running again.

    :param leads: how many leads to generate (accounts, contacts, follow-ups, tasks and
        contracts follow from the leads' simulated journeys).
    :param seed: same seed and ``as_of``, same data (byte for byte).
    :param as_of: the end of the simulated period (Shanghai time): leads arrive over the
        24 months before it and every date of the data lies before it.
    :param password: the password of every newly created demo user.
    :param progress: called after each committed chunk with the leads written so far.
    :raises RecordInvalid: a generated row failed validation (a bug; that chunk's rows of
        the failing entity were not written).
    """
    started = time.perf_counter()
    with app.app_context():
        user_ids = ensure_users(password)
        st = state()
        session = st.db.session
        lead_cls = st.models.cls("lead")
        existing = session.scalar(sa.select(sa.func.count()).select_from(lead_cls)) or 0
        if existing:
            return DemoSummary(len(DEMO_USERS), seconds=time.perf_counter() - started,
                               existing=existing, seed=seed)
        ctx = Context(Actor.system_actor(), session, st.models, channel="import",
                      meta={LOADED_PATHS: True, HISTORY_NOW: to_utc(as_of)})
        totals: Counter[str] = Counter()
        clock = Stopwatch()
        deferred = _list_indexes(ctx) if leads >= INDEXES_AFTER_FROM else []
        drop_for_load(session, deferred)
        try:
            _load(ctx, user_ids, (leads, seed, as_of), totals, clock, progress)
        finally:
            with clock("indexes"):
                build_after_load(session, deferred)
        with clock("statistics"):
            refresh_statistics(st.db.engine)
        totals["task"] += _rule_tasks(ctx)
    counts = tuple((e, totals[e]) for e in ENTITIES)
    return DemoSummary(len(DEMO_USERS), counts, time.perf_counter() - started, seed=seed,
                       phases=tuple(clock.seconds.items()))


def _load(ctx: Context, user_ids: dict[str, int], run: tuple[int, int, dt.datetime],
          totals: Counter[str], clock: Stopwatch,
          progress: Callable[[int], None] | None) -> None:
    """Every chunk of the run (leads, seed, as-of), planned ahead in a child process and
    written here."""
    leads, seed, as_of = run
    st = state()
    deadlines = partial(_set_deadlines, st.registry.lead_rules)
    analyze_at = STATISTICS_FROM
    with closing(planned_ahead(seed, leads, user_ids, source_ids(ctx), CHUNK, as_of,
                               deadlines)) as chunks:
        while True:
            with clock("planning"):
                bundles = next(chunks, None)
            if bundles is None:
                return
            _write(ctx, bundles, totals, clock)
            if progress is not None:
                progress(totals["lead"])
            if totals["lead"] >= analyze_at:
                with clock("statistics"):
                    refresh_statistics(st.db.engine)
                analyze_at = 2 * totals["lead"]


def _list_indexes(ctx: Context) -> list[sa.Index]:
    """The indexes of the tables the generator fills that only lists read: built after
    the load (``model.indexes``)."""
    codes = {e.code for e in ctx.registry.entities}
    return [index for code in WRITTEN if code in codes
            for index in list_indexes(ctx.registry.entity(code), ctx.models.cls(code).__table__)]


def _rule_tasks(ctx: Context) -> int:
    """The tasks the config's ``task_rules`` made from the loaded history (still due at
    its end): the write path made them, the summary counts them with the rest."""
    task = ctx.models.cls("task").__table__
    if "rule_key" not in task.c:
        return 0
    return ctx.session.scalar(sa.select(sa.func.count()).select_from(task).where(
        task.c.rule_key.is_not(None))) or 0


def source_ids(ctx: Context) -> dict[str, int]:
    """Ids of the seeded ``source`` rows, by code (WEB, EXPO, ...)."""
    source = ctx.models.cls("source")
    return {code: pk for code, pk in ctx.session.execute(sa.select(source.code, source.id))}


class Stopwatch:
    """Seconds spent per phase, summed over the chunks (for the benchmark's breakdown)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = (self.seconds.get(phase, 0.0)
                                   + time.perf_counter() - started)


def _write(ctx: Context, bundles: list[LeadBundle], totals: Counter[str],
           clock: Stopwatch) -> None:
    """Insert one chunk parent-first, filling in the ids children refer to."""
    with_account = [b for b in bundles if b.account is not None]
    account_ids = _create(ctx, "account", [b.account for b in with_account], totals, clock)
    for bundle, account_id in zip(with_account, account_ids, strict=True):
        bundle.lead["account"] = account_id
        for row in bundle.contacts:
            row["account"] = account_id
        if bundle.contract is not None:
            bundle.contract["account"] = account_id
    lead_ids = _create(ctx, "lead", [b.lead for b in bundles], totals, clock)
    with clock("stage move"):
        _load_moves(ctx, bundles, lead_ids, totals)
    with clock("approval"):
        totals["approval"] += len(load_approvals(ctx, [
            dataclasses.replace(approval, record_id=lead_id)
            for bundle, lead_id in zip(bundles, lead_ids, strict=True)
            for approval in bundle.approvals]))
    for bundle, lead_id in zip(bundles, lead_ids, strict=True):
        for row in (*bundle.followups, *bundle.tasks):
            row["lead"] = lead_id
        if bundle.contract is not None:
            bundle.contract["lead"] = lead_id
    _create(ctx, "contact", [r for b in bundles for r in b.contacts], totals, clock)
    _create(ctx, "followup", [r for b in bundles for r in b.followups], totals, clock)
    _create(ctx, "task", [r for b in bundles for r in b.tasks], totals, clock)
    _create(ctx, "contract", [b.contract for b in bundles if b.contract], totals, clock)


def _set_deadlines(rules: LeadRulesSet | None, bundles: list[LeadBundle]) -> None:
    """The first-touch deadline of every lead, by its unit's SLA from when it was assigned
    (the write path leaves loaded history's deadlines alone). Run by the planner process."""
    if rules is None:
        return
    for bundle in bundles:
        lead = bundle.lead
        unit_rules = rules.for_unit(bundle.unit)
        if lead["assigned_at"] is not None:
            lead["first_touch_due_at"] = first_touch_due(unit_rules, lead["grade"],
                                                         lead["assigned_at"])
        occurred = [row["occurred_at"] for row in bundle.followups]
        if occurred:  # as its follow-ups will leave them: the lead is written once
            lead.update(first_contact_at=min(occurred), followup_count=len(occurred),
                        next_followup_due_at=cadence_due(unit_rules, lead["grade"],
                                                         max(occurred)))


def _load_moves(ctx: Context, bundles: list[LeadBundle], lead_ids: list[int],
                totals: Counter[str]) -> None:
    """Each lead's dated stage path, one statement per funnel."""
    by_funnel: dict[str, list[Move]] = {}
    for bundle, lead_id in zip(bundles, lead_ids, strict=True):
        funnel = funnel_of(ctx.registry, "lead", bundle.unit)
        if funnel is not None:
            by_funnel.setdefault(funnel.name, []).extend(
                Move(lead_id, source, target, at) for source, target, at in bundle.moves)
    for name in sorted(by_funnel):
        totals["stage move"] += load_moves(ctx, "lead", name, by_funnel[name])


def _create(ctx: Context, entity: str, rows: list[Any], totals: Counter[str],
            clock: Stopwatch) -> list[int]:
    with clock(entity):
        ids = bulk_create(ctx, entity, rows) if rows else []
    totals[entity] += len(ids)
    return ids
