"""What a notice about a lead says: its number, customer, grade and deadline (in the
calendar's local time), as a ``Message`` each reader reads in their own language; the
inbox lists the same four facts for each line of a batched notice.

One function per kind of notice, so the job or hook that sends it only says which lead
and which deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.rules import WorkCalendar

#: the grade of a lead not graded (yet)
UNGRADED = Label("未分级", "ungraded")
#: the text of each kind, with ``no``, ``customer``, ``grade``, ``due`` and its own
TEXTS = {
    "assignment": "New lead %(no)s (%(customer)s, %(grade)s) is yours; first touch by %(due)s",
    "grade": "Lead %(no)s (%(customer)s): %(old)s → %(grade)s; due %(due)s",
    "sla_warning": "Lead %(no)s (%(customer)s, %(grade)s): first touch due by %(due)s",
    "sla_breach": "Lead %(no)s (%(customer)s, %(grade)s): first touch overdue (due %(due)s)",
    "reclaim_warning": "Lead %(no)s (%(customer)s, %(grade)s): no follow-up for %(days)s "
                       "days; back to the pool in %(left)s days (%(due)s)",
    "reclaimed": "Lead %(no)s (%(customer)s, %(grade)s) went back to the pool after "
                 "%(days)s idle days",
    "task_due": "Task %(task)s due %(due)s: lead %(no)s (%(customer)s, %(grade)s)",
    "stale": "Lead %(no)s (%(customer)s, %(grade)s): no activity for %(days)s days "
             "(last %(due)s)",
    "followup_due": "Lead %(no)s (%(customer)s, %(grade)s): follow-up due %(due)s",
}
#: the title of a periodic rule's one notice a day to a person, above a line per lead
GATHERED = {
    "stale": "%(count)s leads without activity for %(days)s days",
    "followup_due": "%(count)s leads are due a follow-up",
}
#: a task due soon that is about no lead
TASK_ALONE = "Task %(task)s due %(due)s"
#: a person's overdue tasks, once a day: how many, and the first titles
TASKS_OVERDUE = "%(count)s tasks overdue: %(titles)s"
#: a person's to-do of the day
DIGEST = "Today: %(due)s tasks due, %(overdue)s overdue, %(touch)s leads to touch first"
#: an owner's leads after a config version changed the rules their stored values come from
RECOMPUTED = ("Config v%(version)s: %(count)s of your leads recomputed under the new rules "
              "(%(due)s deadlines changed, %(grades)s grades changed)")
#: how many titles an overdue notice names before "…"
NAMED_TITLES = 3


def link(lead_id: int) -> str:
    """Where a notice about lead ``lead_id`` leads."""
    return f"/lead/show/{lead_id}"


def grade_label(code: str | None) -> Label:
    """"A级" / "grade A"; a lead without a grade reads as ungraded."""
    return Label(f"{code}级", f"grade {code}") if code else UNGRADED


def lead_notice(kind: str, lead: Any, calendar: WorkCalendar,
                due: dt.datetime | dt.date | None, **extra: Any) -> Message:
    """The notice of ``kind`` (a key of ``TEXTS``) about ``lead`` (a row or the values of a
    write), with ``due`` as the deadline: a stored (naive UTC) time shown in ``calendar``'s
    zone, or a day.

    ``grade_code`` travels with the text (unused by it) for the quiet hours' exemptions.
    """
    values = lead if isinstance(lead, Mapping) else lead._mapping
    grade = values.get("grade")
    return Message(TEXTS[kind], **{
        "no": values.get("lead_no") or f"#{values.get('id')}",
        "customer": values.get("customer_name") or values.get("contact_name") or "-",
        "grade": grade_label(grade), "grade_code": grade or "",
        "due": _when(calendar, due), **extra})


def task_notice(task: Any, lead: Any | None, calendar: WorkCalendar) -> Message:
    """A task due soon: its title and due time, and its lead's facts when it has one."""
    if lead is None:
        return Message(TASK_ALONE, task=task.title, due=_when(calendar, task.due_at))
    return lead_notice("task_due", lead, calendar, task.due_at, task=task.title)


def overdue_notice(titles: list[str]) -> Message:
    """A person's overdue tasks: "5 项任务已逾期：回电、报价、发送资料…"."""
    named = titles[:NAMED_TITLES]
    more = "…" if len(titles) > NAMED_TITLES else ""
    return Message(TASKS_OVERDUE, count=len(titles),
                   titles=Label("、".join(named) + more, ", ".join(named) + more))


def _when(calendar: WorkCalendar, due: dt.datetime | dt.date | None) -> str:
    if due is None:
        return "-"
    if isinstance(due, dt.datetime):
        return calendar.local(due).strftime("%Y-%m-%d %H:%M")
    return due.isoformat()
