"""Schedules as people read them: "每周一 09:00" / "Mondays 09:00", not "0 9 * * 1", and
the admin's overview of every scheduled rule: when it last ran, how, and when it runs next.

Covers the cron forms the config uses (a fixed minute and hour; every day, some weekdays or
one day of the month); any other expression is shown as it is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel import Locale

from leadloom.metadata.messages import Message, listed
from leadloom.metadata.registry import Label, Registry
from leadloom.web.labels import current_locale
from leadloom.web.language import translated

if TYPE_CHECKING:
    from leadloom.jobs.slots import SlotClaims, SlotRun

#: minute hour day-of-month month day-of-week, with plain numbers, lists and ranges
CRON = re.compile(r"^(\d+) (\d+) (\*|\d+) \* (\*|[0-7](?:[-,][0-7])*)$")
WORKWEEK = ("1-5", "1,2,3,4,5")
ZH, EN = Locale.parse("zh"), Locale.parse("en")


def schedule_text(cron: str) -> str:
    """``cron`` in the request's language, or as written when it is not a simple form."""
    found = CRON.match(cron.strip())
    if found is None:
        return cron
    minute, hour, day, weekdays = found.groups()
    if int(minute) > 59 or int(hour) > 23:
        return cron
    time = f"{int(hour):02d}:{int(minute):02d}"
    if day != "*" and weekdays == "*":
        return translated(Message("monthly on day %(day)s, %(time)s", day=int(day), time=time))
    if day != "*":
        return cron
    if weekdays == "*":
        return translated(Message("every day %(time)s", time=time))
    if weekdays in WORKWEEK:
        return translated(Message("weekdays %(time)s", time=time))
    return translated(Message("%(days)s %(time)s", days=_days(weekdays), time=time))


def _days(field: str) -> Label:
    """"1,3" → 周一、周三 / Mondays, Wednesdays (cron counts Sunday as 0 and 7)."""
    numbers: list[int] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        numbers += range(int(low), int(high or low) + 1)
    babel_days = [(n - 1) % 7 for n in dict.fromkeys(n % 7 for n in numbers)]
    return listed([Label(ZH.days["format"]["abbreviated"][d], EN.days["format"]["wide"][d] + "s")
                   for d in babel_days], "、")


#: what each lead-rule job does, as the overview names it
LEAD_JOBS = {
    "reclaim": Message("Reclaim idle leads to the pool"),
    "sla": Message("First-touch SLA warnings and breaches"),
    "tasks": Message("Task reminders"),
    "stale": Message("Stale lead alerts"),
    "digest": Message("Daily to-do digest"),
}
OUTCOMES = {"queued": Message("queued or running"), "done": Message("done"),
            "failed": Message("failed"),
            "skipped": Message("not run (schedule first seen)")}


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One line of the admin's schedule overview (times aware, in the rule's zone)."""

    title: str
    when: str
    last: SlotRun | None
    last_at: dt.datetime | None
    outcome: str
    next_at: dt.datetime


def schedule_rows(registry: Registry, claims: SlotClaims, now: dt.datetime) -> list[ScheduleRow]:
    """Every scheduled rule of ``registry`` with its latest claimed slot and its next one."""
    from leadloom.jobs.scheduler import scheduled_rules  # RQ: on first use

    runs = claims.latest_runs()
    reports = {f"report.{r.name}": r.label for r in registry.reports}
    rows = []
    for rule, _, args in scheduled_rules(registry):
        last = runs.get(rule.name)
        label = reports.get(rule.name)
        title = (label.get(current_locale()) if label is not None
                 else translated(LEAD_JOBS.get(args[0], Message(args[0]))))
        rows.append(ScheduleRow(
            title, schedule_text(rule.cron), last,
            last.slot.replace(tzinfo=dt.UTC).astimezone(rule.zone) if last else None,
            translated(OUTCOMES.get(last.outcome, Message(last.outcome))) if last else "",
            rule.following(now).astimezone(rule.zone)))
    return rows
