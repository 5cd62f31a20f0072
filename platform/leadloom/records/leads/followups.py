"""Follow-ups (R-15, P-05): entry-time rules, and what a follow-up does to its lead.

A follow-up entered more than ``followup_late_after`` (24 h) after it happened is flagged
``late_entry``; more than ``followup_max_backdate`` (7 days) back, or in the future, it is
refused. Once saved, the lead's first contact, last follow-up, count and next follow-up
deadline follow from its follow-ups, a new lead becomes 跟进中, the open first-touch and
cadence tasks are done, and the next cadence task (and the follow-up's next action) is made.
Follow-ups the system loads (imports of history) only update the lead's figures.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadloom.metadata.lead_rules import LeadRules
from leadloom.metadata.messages import Message
from leadloom.records.leads import clock
from leadloom.records.leads.nested import nested_create
from leadloom.records.leads.sla import cadence_due
from leadloom.records.leads.state import active_user

if TYPE_CHECKING:
    from leadloom.records.hooks import Change
    from leadloom.records.service import Context

FUTURE_SLACK = dt.timedelta(minutes=10)
#: a lead in one of these statuses becomes 跟进中 with its first follow-up
STARTS_CONTACT = ("new", "assigned", "to_verify")
OPEN_TASK_KINDS = ("first_touch", "cadence")


def check_entry(change: Change, rules: LeadRules) -> None:
    """Refuse follow-ups too far back or in the future; flag late entries."""
    if change.deleting or change.ctx.actor.system:
        return
    if not change.creating and not change.changed("occurred_at"):
        return
    occurred = change.values.get("occurred_at")
    if not isinstance(occurred, dt.datetime):
        return
    occurred = occurred.replace(tzinfo=None) if occurred.tzinfo is None else (
        occurred.astimezone(dt.UTC).replace(tzinfo=None))
    now = clock.now()
    sla = rules.sla
    if occurred > now + FUTURE_SLACK:
        change.reject("occurred_at", Message("lies in the future: enter a follow-up once it "
                                             "happened"))
    elif now - occurred > sla.followup_max_backdate.delta:
        change.reject("occurred_at", Message("more than %(limit)s ago: follow-ups must be "
                                             "entered within %(limit)s",
                                             limit=sla.followup_max_backdate))
    elif change.entity.has_field("late_entry"):
        change.values["late_entry"] = now - occurred > sla.followup_late_after.delta


def lead_row(ctx: Context, lead_id: int | None) -> Any:
    if lead_id is None:
        return None
    table = ctx.models.cls("lead").__table__
    return ctx.session.execute(sa.select(table).where(table.c.id == lead_id)).first()


def after_followup(change: Change, rules: LeadRules, lead: Any) -> None:
    """Bring the lead's figures up to date; for a new follow-up make the next tasks."""
    live = change.creating and not change.ctx.actor.system
    due = refresh_lead(change.ctx, rules, lead, contacting=live)
    if live:
        _next_tasks(change, lead, due, rules)


def refresh_lead(ctx: Context, rules: LeadRules, lead: Any, *,
                 contacting: bool = False) -> dt.datetime | None:
    """The lead's first contact, last follow-up, count and next deadline from its
    follow-ups (and 跟进中 when ``contacting``); returns the next deadline."""
    table = ctx.models.cls("lead").__table__
    followup = ctx.models.cls("followup").__table__
    first, last, count = ctx.session.execute(
        sa.select(sa.func.min(followup.c.occurred_at), sa.func.max(followup.c.occurred_at),
                  sa.func.count()).where(followup.c.lead_id == lead.id)).one()
    due = cadence_due(rules, lead.grade, last) if last else None
    values: dict[str, Any] = {"first_contact_at": first, "last_followup_at": last,
                              "followup_count": count, "next_followup_due_at": due}
    if contacting and lead.status in STARTS_CONTACT:
        values["status"] = "contacting"
    ctx.session.execute(sa.update(table).where(table.c.id == lead.id).values(**values))
    return due


def _next_tasks(change: Change, lead: Any, due: dt.datetime | None,
                rules: LeadRules) -> None:
    ctx = change.ctx
    task = ctx.models.cls("task").__table__
    ctx.session.execute(sa.update(task).where(
        task.c.lead_id == lead.id, task.c.kind.in_(OPEN_TASK_KINDS),
        task.c.status.in_(("todo", "overdue"))).values(status="done"))
    if not active_user(ctx, lead.owner_id):
        return
    zh = ctx.registry.app.default_locale == "zh"
    number = lead.lead_no or f"#{lead.id}"
    if due is not None:
        grade = lead.grade or "-"
        step = rules.sla.cadence.get(lead.grade)
        unit = {"h": "小时", "d": "天", "wd": "个工作日"}[step.unit]
        title = (f"例行跟进 {number}（{grade}级，每{step.amount}{unit}）" if zh
                 else f"Follow up {number} (grade {grade}, every {step})")
        _task(ctx, lead, title, due, "cadence")
    next_due = change.values.get("next_action_due")
    if isinstance(next_due, dt.date):
        title = change.values.get("next_action") or ("下一步行动" if zh else "Next action")
        _task(ctx, lead, f"{title[:180]}（{number}）" if zh else f"{title[:180]} ({number})",
              rules.calendar.end_of_day(next_due), "next_action")


def _task(ctx: Context, lead: Any, title: str, due: dt.datetime, kind: str) -> None:
    nested_create(ctx, "task", {"title": title[:200], "lead": lead.id,
                                "assignee": lead.owner_id, "due_at": due, "status": "todo",
                                "kind": kind}, owner_id=lead.owner_id)
