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
from leadloom.records.leads import clock, sla_records
from leadloom.records.leads.nested import nested_bulk_create, nested_create
from leadloom.records.leads.sla import cadence_due
from leadloom.records.leads.state import active_user

if TYPE_CHECKING:
    from leadloom.records.hooks import Change
    from leadloom.records.service import Context

FUTURE_SLACK = dt.timedelta(minutes=10)
#: a lead in one of these statuses becomes 跟进中 with its first follow-up
STARTS_CONTACT = ("new", "assigned", "to_verify")
OPEN_TASK_KINDS = ("first_touch", "cadence")
#: the lead's columns its follow-ups decide
DERIVED = ("first_contact_at", "last_followup_at", "followup_count", "next_followup_due_at")
#: the note where the follow-up hook keeps a follow-up's lead row
NOTE_LEAD = "leadloom.lead"


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
        change.reject("occurred_at", Message(
            "lies in the future: enter a follow-up once it happened"))
    elif now - occurred > sla.followup_max_backdate.delta:
        change.reject("occurred_at", Message(
            "more than %(limit)s ago: follow-ups must be entered within %(limit)s",
            limit=str(sla.followup_max_backdate)))
    elif change.entity.has_field("late_entry"):
        change.values["late_entry"] = now - occurred > sla.followup_late_after.delta


def lead_row(ctx: Context, lead_id: int | None) -> Any:
    if lead_id is None:
        return None
    table = ctx.models.cls("lead").__table__
    return ctx.session.execute(sa.select(table).where(table.c.id == lead_id)).first()


def lead_rows(ctx: Context, lead_ids: set[Any]) -> dict[int, Any]:
    """The leads of a batch of follow-ups, by id, in one query."""
    table = ctx.models.cls("lead").__table__
    wanted = sorted(i for i in lead_ids if i is not None)
    return {row.id: row for chunk in _chunks(wanted)
            for row in ctx.session.execute(sa.select(table).where(table.c.id.in_(chunk)))}


def _chunks(items: list[Any], size: int = 5000) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def after_followup(change: Change, rules: LeadRules, lead: Any) -> None:
    """Bring the lead's figures up to date; for a new follow-up make the next tasks."""
    live = change.creating and not change.ctx.actor.system
    due = refresh_lead(change.ctx, rules, lead, contacting=live)
    if live:
        _close_open_tasks(change.ctx, [lead.id])
        for task in next_tasks(change.ctx, lead, due, change.values, rules):
            nested_create(change.ctx, "task", task, owner_id=task["owner"])


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
    sla_records.derive(ctx, [lead.id])
    return due


def after_followups(changes: list[Change], rules_set: Any) -> None:
    """``after_followup`` for a batch of new follow-ups (``notes`` hold their leads): the
    leads' figures from one aggregate grouped by lead and one executemany UPDATE; for the
    follow-ups a user entered, the open tasks closed in one UPDATE and the next tasks made
    in one nested bulk create, each as the follow-up would have made it in turn."""
    ctx = changes[0].ctx
    leads = {c.notes[NOTE_LEAD].id: c.notes[NOTE_LEAD] for c in changes}
    live = [c for c in changes if not ctx.actor.system]
    lasts = _aggregates(ctx, sorted(leads))
    contacting = {c.notes[NOTE_LEAD].id for c in live}
    by_status: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for lead_id, lead in leads.items():
        first, last, count = lasts.get(lead_id, (None, None, 0))
        rules = rules_set.for_unit(lead.unit)
        values = {"b_id": lead_id, "first_contact_at": first, "last_followup_at": last,
                  "followup_count": count,
                  "next_followup_due_at": cadence_due(rules, lead.grade, last) if last else None}
        starts = lead_id in contacting and lead.status in STARTS_CONTACT
        if not starts and all(getattr(lead, k) == values[k] for k in DERIVED):
            continue  # loaded history that came with its figures: no row version to write
        by_status[starts].append(values | ({"status": "contacting"} if starts else {}))
    table = ctx.models.cls("lead").__table__
    for rows in by_status.values():
        if rows:
            columns = {k: sa.bindparam(k) for k in rows[0] if k != "b_id"}
            ctx.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                                .values(**columns), rows)
    sla_records.derive(ctx, [row["b_id"] for rows in by_status.values() for row in rows])
    if live:
        _next_tasks_of(ctx, live, rules_set)


def _aggregates(ctx: Context, lead_ids: list[int], without: list[int] | None = None
                ) -> dict[int, tuple[Any, Any, int]]:
    """lead id → (first, last, count) of its follow-ups (leaving out ids ``without``)."""
    followup = ctx.models.cls("followup").__table__
    found: dict[int, tuple[Any, Any, int]] = {}
    for chunk in _chunks(lead_ids):
        query = sa.select(followup.c.lead_id, sa.func.min(followup.c.occurred_at),
                          sa.func.max(followup.c.occurred_at), sa.func.count()).where(
            followup.c.lead_id.in_(chunk)).group_by(followup.c.lead_id)
        if without:
            query = query.where(followup.c.id.not_in(without))
        found |= {r[0]: (r[1], r[2], int(r[3])) for r in ctx.session.execute(query)}
    return found


def _next_tasks_of(ctx: Context, changes: list[Change], rules_set: Any) -> None:
    """The tasks each follow-up makes in turn: its lead's next deadline runs from the
    latest follow-up so far; a cadence task a later follow-up replaces ends done."""
    leads = sorted({c.notes[NOTE_LEAD].id for c in changes})
    before = _aggregates(ctx, leads, without=[c.record.id for c in changes])
    _close_open_tasks(ctx, leads)
    latest = {lead_id: before.get(lead_id, (None, None, 0))[1] for lead_id in leads}
    tasks: list[dict[str, Any]] = []
    for change in changes:
        lead = change.notes[NOTE_LEAD]
        occurred = change.values.get("occurred_at")
        last = latest[lead.id]
        if occurred is not None and (last is None or _naive(occurred) > last):
            latest[lead.id] = last = _naive(occurred)
        rules = rules_set.for_unit(lead.unit)
        due = cadence_due(rules, lead.grade, last) if last else None
        tasks += next_tasks(ctx, lead, due, change.values, rules)
    ids = nested_bulk_create(ctx, "task", tasks) if tasks else []
    cadence = [(t["lead"], pk) for t, pk in zip(tasks, ids, strict=True)
               if t["kind"] == "cadence"]
    kept = {lead_id: pk for lead_id, pk in cadence}  # the last one of each lead stays open
    replaced = [pk for lead_id, pk in cadence if kept[lead_id] != pk]
    if replaced:
        task = ctx.models.cls("task").__table__
        ctx.session.execute(sa.update(task).where(task.c.id.in_(replaced))
                            .values(status="done"))


def _naive(moment: dt.datetime) -> dt.datetime:
    """As stored: naive UTC."""
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)


def _close_open_tasks(ctx: Context, lead_ids: list[int]) -> None:
    task = ctx.models.cls("task").__table__
    for chunk in _chunks(lead_ids):
        ctx.session.execute(sa.update(task).where(
            task.c.lead_id.in_(chunk), task.c.kind.in_(OPEN_TASK_KINDS),
            task.c.status.in_(("todo", "overdue"))).values(status="done"))


def next_tasks(ctx: Context, lead: Any, due: dt.datetime | None, values: dict[str, Any],
               rules: LeadRules) -> list[dict[str, Any]]:
    """The tasks a new follow-up makes (each with its ``owner``): the next cadence
    follow-up and the follow-up's next action, for an active owner."""
    if not active_user(ctx, lead.owner_id):
        return []
    zh = ctx.registry.app.default_locale == "zh"
    number = lead.lead_no or f"#{lead.id}"
    found = []
    if due is not None:
        grade = lead.grade or "-"
        step = rules.sla.cadence.get(lead.grade)
        unit = {"h": "小时", "d": "天", "wd": "个工作日"}[step.unit]
        title = (f"例行跟进 {number}（{grade}级，每{step.amount}{unit}）" if zh
                 else f"Follow up {number} (grade {grade}, every {step})")
        found.append(_task(lead, title, due, "cadence"))
    next_due = values.get("next_action_due")
    if isinstance(next_due, dt.date):
        title = values.get("next_action") or ("下一步行动" if zh else "Next action")
        found.append(_task(lead, f"{title[:180]}（{number}）" if zh
                           else f"{title[:180]} ({number})",
                           rules.calendar.end_of_day(next_due), "next_action"))
    return found


def _task(lead: Any, title: str, due: dt.datetime, kind: str) -> dict[str, Any]:
    return {"title": title[:200], "lead": lead.id, "assignee": lead.owner_id, "due_at": due,
            "status": "todo", "kind": kind, "owner": lead.owner_id}
