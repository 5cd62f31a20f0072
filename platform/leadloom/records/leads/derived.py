"""The values the rules derive from an open lead's data, computed fresh: what the lead
would hold had the rules in force always been so.

The write path keeps them in step as a lead changes (``grading``, ``sla``); a recompute
(``recompute``) compares the stored values with these after a publish or a rollback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from leadloom.metadata.lead_rules import LeadRules
from leadloom.metadata.registry import Entity
from leadloom.model.leads import LEAD_EVENT_TABLE
from leadloom.records.leads.grading import evaluate
from leadloom.records.leads.sla import cadence_due, first_touch_due, first_touch_start

#: the derived columns a recompute compares (field codes)
GRADE_FIELDS = ("grade_auto", "value_level", "grade_override", "grade")
DUE_FIELDS = ("first_touch_due_at", "next_followup_due_at")
DERIVED_FIELDS = GRADE_FIELDS + DUE_FIELDS


def lead_values(entity: Entity, row: Any) -> dict[str, Any]:
    """A stored lead row as the rules read it: field codes, plus owner, unit, created_at."""
    mapping = row._mapping
    values = {f.code: mapping[f.column] for f in entity.fields if f.column}
    values.update(owner=row.owner_id, unit=row.unit, created_at=row.created_at)
    return values


def derive(rules: LeadRules, values: Mapping[str, Any], override_at: dt.datetime | None,
           now: dt.datetime) -> dict[str, Any]:
    """The derived values (``DERIVED_FIELDS``) of a lead with ``values`` under ``rules``.

    :param override_at: when the manual grade in force was set (its first-touch deadline
        runs from then), if there is one.
    """
    auto, value = evaluate(rules.grading, {**rules.list_values(), **values}, now)
    stored = values.get("grade_override")
    override = stored if stored != auto else None
    grade = override or auto
    assigned, last = values.get("assigned_at"), values.get("last_followup_at")
    first_touch = values.get("first_touch_due_at")
    if values.get("owner") is None:
        first_touch = None
    elif not values.get("first_contact_at") and assigned:
        start = first_touch_start(assigned, override_at if override else None)
        first_touch = first_touch_due(rules, grade, start)
    following = cadence_due(rules, grade, last) if last else values.get("next_followup_due_at")
    return {"grade_auto": auto, "value_level": value, "grade_override": override,
            "grade": grade, "first_touch_due_at": first_touch,
            "next_followup_due_at": following}


def override_times(session: Any, models: Any, leads: Mapping[int, str]) -> dict[int, Any]:
    """lead id → when its manual grade (``leads``: id → the override in force) came into
    force: the latest grade event that changed the grade to it."""
    if not leads:
        return {}
    event = models.metadata.tables[LEAD_EVENT_TABLE]
    rows = session.execute(sa.select(event.c.lead_id, event.c.new, event.c.at).where(
        event.c.kind == "grade", event.c.lead_id.in_(sorted(leads)),
        sa.or_(event.c.old.is_(None), event.c.old != event.c.new)))
    found: dict[int, Any] = {}
    for lead_id, new, at in rows:
        if new == leads[lead_id] and (lead_id not in found or at > found[lead_id]):
            found[lead_id] = at
    return found
