"""Deadlines (R-08..R-14): the first-touch deadline by grade, the next follow-up by the
grade's cadence, on the working-day calendar where the preset counts working days.

``first_touch_due_at`` runs from ``assigned_at`` (or a later manual grade's time);
``next_followup_due_at`` from the last follow-up: the cadence's day, at the end of the
working day, moved to the next working day when it falls on a rest day.
"""

from __future__ import annotations

import datetime as dt

from leadloom.metadata.lead_rules import LeadRules
from leadloom.records.leads.state import LeadWrite

#: ``ctx.meta`` key: the write gives the deadlines itself, computed for the whole lead
GIVEN = "derived_given"


def first_touch_due(rules: LeadRules, grade: str | None, start: dt.datetime) -> dt.datetime:
    """When the first contact is due for a lead of ``grade`` assigned at ``start``."""
    return rules.sla.first_touch.get(grade).after(start, rules.calendar)


def cadence_due(rules: LeadRules, grade: str | None, last: dt.datetime) -> dt.datetime:
    """When the next follow-up is due after one at ``last``."""
    step = rules.sla.cadence.get(grade)
    calendar = rules.calendar
    if step.working:
        return calendar.add_working_days(last, step.amount)
    day = calendar.local_date(calendar.local(last) + step.delta)
    return calendar.end_of_day(calendar.next_workday(day))


def first_touch_start(assigned: dt.datetime, override_at: dt.datetime | None) -> dt.datetime:
    """What the first-touch deadline runs from: the assignment, or a later manual grade
    (an override re-bases the deadline on its own time, not the original assignment)."""
    return max(assigned, override_at) if override_at else assigned


def set_deadlines(w: LeadWrite) -> None:
    """Keep the lead's deadlines in step with its owner, grade and follow-ups; a write
    that brings computed deadlines of its own (``GIVEN``: a recompute) keeps them."""
    if w.history or w.ctx.meta.get(GIVEN):
        return
    values = w.values
    grade_changed = w.creating or w.change.changed("grade")
    assigned = values.get("assigned_at")
    if values.get("owner") is None:
        w.set("first_touch_due_at", None)
    elif not values.get("first_contact_at") and assigned and (
            w.owner_changed or grade_changed or not values.get("first_touch_due_at")):
        start = first_touch_start(assigned, w.now if _overridden(w) else None)
        w.set("first_touch_due_at", first_touch_due(w.rules, values.get("grade"), start))
    last = values.get("last_followup_at")
    if last and values.get("first_contact_at") and grade_changed:
        w.set("next_followup_due_at", cadence_due(w.rules, values.get("grade"), last))


def _overridden(w: LeadWrite) -> bool:
    """Whether this write puts a new manual grade in force (on a lead already assigned)."""
    override = w.values.get("grade_override")
    return bool(override and not w.creating and not w.owner_changed
                and override != w.change.before.get("grade_override"))
