"""The lead rules for a batch of new leads (imports, demo data): the same steps, in the
same order, with the same outcome per row as a sequence of single creates — but the
database is asked a handful of times for the whole batch, not per row.

Before the insert: the owners' units in one query; 查重 against the stored keys read
once per key kind, each row also against the rows before it (``BatchKeys``); screening,
grading, assignment (load counts read once and counted on in memory) and deadlines in
memory; the number and the round-robin turns from counters read once and written back
once (``CounterBatch``); the pool and unit placed in the inserted row itself. After the
insert (``LeadHook.after_batch``): keys, history, messages in one executemany each and
the first-touch tasks in one nested bulk create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadloom.records.leads import assignment, duplicates, grading, screening, sla
from leadloom.records.leads.counters import CounterBatch
from leadloom.records.leads.customers import find_accounts
from leadloom.records.leads.numbering import take_number
from leadloom.records.leads.state import lead_write, tx_state, unit_of

if TYPE_CHECKING:
    from leadloom.records.hooks import Change

NOTE = "leadloom.lead"
#: the note a lead of a batch carries: the batch's ``BatchKeys``
BATCH = "leadloom.lead_batch"


def before_leads(changes: list[Change], rules_set: Any) -> None:
    """Every rule for new leads ``changes``, row after row as single creates would."""
    ctx = changes[0].ctx
    state = tx_state(ctx.session)
    _known_units(changes)
    writes = [lead_write(c, rules_set) for c in changes]
    keys = duplicates.BatchKeys(writes)
    find_accounts(writes, rules_set.base.assignment.existing_customer)
    stamped = unit_of(ctx, ctx.actor.user_id) or ctx.actor.unit  # a routed row's, in bulk
    state.counters = CounterBatch(ctx.session, ctx.models)
    try:
        for w in writes:
            change = w.change
            change.notes[NOTE] = w
            change.notes[BATCH] = keys
            screening.screen(w)
            duplicates.check_duplicates(w, keys)
            grading.grade(w)
            assignment.assign(w)
            sla.set_deadlines(w)
            number = take_number(w)
            if number is not None:
                change.columns["lead_no"] = number
            owner = (change.values.get("owner") or ctx.actor.user_id) if (
                change.entity.owned) else None
            change.columns.update(assignment.placement(w, owner,
                                                       stamped if w.routed else w.unit))
            keys.add(w, change.columns.get("owner_id", owner),
                     change.columns.get("unit", w.unit))
        state.counters.flush()
    finally:
        state.counters = None


def _known_units(changes: list[Change]) -> None:
    """The units of the rows' owners, in one query (``unit_of`` caches them)."""
    ctx = changes[0].ctx
    units = tx_state(ctx.session).units
    wanted = {c.values.get("owner") or ctx.actor.user_id for c in changes} - set(units) - {None}
    if not wanted:
        return
    org = ctx.models.org
    found = dict(ctx.session.execute(sa.select(org.c.user_id, org.c.unit).where(
        org.c.user_id.in_(wanted))).all())
    units |= {user: found.get(user) for user in wanted}
