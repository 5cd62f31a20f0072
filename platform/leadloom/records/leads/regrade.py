"""Re-grading when the rules change: the open leads get the new rules' grade and value;
closed leads keep theirs.

Run on the first use of each rule set: every process that builds an app (the web app on
start and on every live swap to a newly published version) and ``leadloom tick`` call
``apply_rule_changes``. The rules' fingerprint (a hash of the grading cases, lets and
lists of every unit) is claimed in ``ll_rules_applied`` in the same transaction as the
re-grading, so whichever process gets there first does it once, and a version that only
relabels a field re-grades nothing. The re-grading goes through the write path in
batches: each change is kept in the lead's history (reason "rules changed", source
"publish") and the audit trail, the owner is told, a manual grade (an override) stays in
force. A lead someone changes meanwhile makes the whole run roll back (claim included),
so the next process to start does it again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from leadloom.model.leads import RULES_APPLIED_TABLE
from leadloom.records.batch_update import bulk_update
from leadloom.records.errors import Conflict
from leadloom.records.leads import clock
from leadloom.records.leads.grading import evaluate
from leadloom.records.leads.nested import nested
from leadloom.records.service import Context, commit

BATCH = 1000


def apply_rule_changes(ctx: Context) -> int | None:
    """Re-grade the open leads if this rule set has not been applied yet.

    :returns: how many leads changed, or None when there was nothing to do.
    """
    rules = ctx.registry.lead_rules
    if rules is None:
        return None
    table = ctx.models.metadata.tables[RULES_APPLIED_TABLE]
    now = clock.now()
    dialect = ctx.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    claimed = ctx.session.execute(insert.values(
        fingerprint=rules.fingerprint, version=ctx.registry.version, applied_at=now,
        changed=0).on_conflict_do_nothing(index_elements=["fingerprint"])
        .returning(table.c.fingerprint)).scalar()
    if claimed is None:
        ctx.session.rollback()
        return None
    try:
        changed = regrade_open(ctx, now)
    except Conflict:  # a lead changed meanwhile: nothing is kept, the next start redoes it
        ctx.session.rollback()
        return None
    ctx.session.execute(sa.update(table).where(table.c.fingerprint == rules.fingerprint)
                        .values(changed=changed))
    commit(ctx)
    return changed


def regrade_open(ctx: Context, now: dt.datetime) -> int:
    """Grade every open lead with the current rules, in the caller's transaction.

    The leads whose grade or value the rules now see differently are re-graded through
    the write path (``records.bulk_update``, a batch of up to ``BATCH``, each write only
    flushing): the lead hook grades them, keeps a manual grade, moves the first-touch
    deadline, tells the owner and writes the history; the audit trail records it.
    """
    lead = ctx.models.cls("lead").__table__
    entity = ctx.registry.entity("lead")
    job = dataclasses.replace(ctx, meta={**ctx.meta, "grade_event": {
        "reason": "rules changed", "source": "publish", "version": ctx.registry.version}})
    changed = 0
    last_id = 0
    while True:
        rows = list(ctx.session.execute(sa.select(lead).where(lead.c.id > last_id)
                                        .order_by(lead.c.id).limit(BATCH)))
        if not rows:
            return changed
        last_id = rows[-1].id
        outdated = [row.id for row in rows if _outdated(ctx, entity, row, now)]
        if outdated:
            with nested(job) as inner:
                result = bulk_update(inner, "lead", {pk: {} for pk in outdated})
            changed += len(result.updated)


def _outdated(ctx: Context, entity: Any, row: Any, now: dt.datetime) -> bool:
    """Whether an open lead's stored grade or value differs from what the rules say."""
    assert ctx.registry.lead_rules is not None
    rules = ctx.registry.lead_rules.for_unit(row.unit)
    if row.status not in rules.open_statuses:
        return False
    values = {f.code: row._mapping[f.column] for f in entity.fields if f.column}
    values.update(rules.list_values(), owner=row.owner_id, unit=row.unit,
                  created_at=row.created_at)
    auto, value = evaluate(rules.grading, values, now)
    return (auto, value) != (row.grade_auto, row.value_level)
