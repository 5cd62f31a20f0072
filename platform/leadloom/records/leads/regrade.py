"""Re-grading when the rules change: the open leads get the new rules' grade and value;
closed leads keep theirs.

Run on the first use of each rule set: every process that builds an app (the web app on
start and on every live swap to a newly published version) and ``leadloom tick`` call
``apply_rule_changes``. The rules' fingerprint (a hash of the grading cases, lets and
lists of every unit) is claimed in ``ll_rules_applied`` in the same transaction as the
re-grading, so whichever process gets there first does it once, and a version that only
relabels a field re-grades nothing. Each change is kept in the lead's history; a manual
grade (an override) stays in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from leadloom.model.leads import RULES_APPLIED_TABLE
from leadloom.records.leads import clock
from leadloom.records.leads.events import record_event
from leadloom.records.leads.grading import evaluate
from leadloom.records.leads.sla import first_touch_due
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
    changed = regrade_open(ctx, now)
    ctx.session.execute(sa.update(table).where(table.c.fingerprint == rules.fingerprint)
                        .values(changed=changed))
    commit(ctx)
    return changed


def regrade_open(ctx: Context, now: dt.datetime) -> int:
    """Grade every open lead with the current rules (in the caller's transaction)."""
    lead = ctx.models.cls("lead").__table__
    entity = ctx.registry.entity("lead")
    changed = 0
    last_id = 0
    while True:
        rows = list(ctx.session.execute(sa.select(lead).where(lead.c.id > last_id)
                                        .order_by(lead.c.id).limit(BATCH)))
        if not rows:
            return changed
        last_id = rows[-1].id
        for row in rows:
            changed += _regrade(ctx, entity, row, now)


def _regrade(ctx: Context, entity: Any, row: Any, now: dt.datetime) -> int:
    assert ctx.registry.lead_rules is not None
    rules = ctx.registry.lead_rules.for_unit(row.unit)
    if row.status not in rules.open_statuses:
        return 0
    values = {f.code: row._mapping[f.column] for f in entity.fields if f.column}
    values.update(rules.list_values(), owner=row.owner_id, unit=row.unit,
                  created_at=row.created_at)
    auto, value = evaluate(rules.grading, values, now)
    if auto == row.grade_auto and value == row.value_level:
        return 0
    effective = row.grade_override or auto
    update: dict[str, Any] = {"grade_auto": auto, "value_level": value, "grade": effective}
    if effective != row.grade and row.owner_id and row.assigned_at and not (
            row.first_contact_at):
        update["first_touch_due_at"] = first_touch_due(rules, effective, row.assigned_at)
    table = ctx.models.cls("lead").__table__
    ctx.session.execute(sa.update(table).where(table.c.id == row.id).values(**update))
    if effective != row.grade or auto != row.grade_auto:
        record_event(ctx, row.id, "grade", old=row.grade, new=effective,
                     reason="rules changed", at=now,
                     detail={"auto_old": row.grade_auto, "auto_new": auto,
                             "override": row.grade_override, "source": "publish",
                             "version": ctx.registry.version})
    return 1
