"""The calendar: ``/tasks/calendar/?view=week|month&date=YYYY-MM-DD&who=ID`` shows a
person's tasks (by due time) and follow-ups (by when they happened) on a server-rendered grid
of local days; a supervisor picks a rep of their team. Reads go through
``workflow.calendar`` (the reader's scope); marking a task done posts to ``/tasks/mine/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, request
from flask_appbuilder import BaseView, expose, has_access

from leadloom.metadata.messages import Message
from leadloom.model.tables import utcnow
from leadloom.web.actor import current_actor
from leadloom.web.labels import local_time
from leadloom.web.language import translated
from leadloom.web.state import state
from leadloom.web.task_done import done_texts
from leadloom.workflow.calendar import TASK, Entry, entries, local_span, people

URL = "/tasks/calendar/"
VIEWS = ("week", "month")
#: the years a calendar can show (far enough; the date arithmetic stays in range)
YEARS = (1970, 2999)
WEEKDAYS = (Message("Mon"), Message("Tue"), Message("Wed"), Message("Thu"), Message("Fri"),
            Message("Sat"), Message("Sun"))
TEXTS = {
    "title": Message("Calendar"), "week": Message("Week"), "month": Message("Month"),
    "today": Message("Back to today"), "previous": Message("Previous"), "next": Message("Next"),
    "whose": Message("Whose calendar"), "task": Message("Task"),
    "followup": Message("Follow-up"), "nothing": Message("Nothing on this day"),
    "done": Message("Done"),
}
BAD_DATE = Message("the date must read YYYY-MM-DD, e.g. 2026-11-30; showing today")
BAD_PERSON = Message("you may not open that person's calendar; showing yours")


class CalendarView(BaseView):
    """Week and month grids of local days, each with its tasks and follow-ups."""

    route_base = "/tasks/calendar"
    default_view = "index"
    class_permission_name = "MyTasks"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        view = request.args.get("view") if request.args.get("view") in VIEWS else "week"
        today = local_time(utcnow()).date()
        picked = _picked_date(today)
        choices = people(st.db.session, st.models, actor)
        who = _picked_person(actor.user_id, choices)
        first, days = _span(view, picked)
        start, end = local_span(first, days, st.registry.app.timezone)
        found = entries(st.db.session, st.models, actor, who, start, end) if who else []
        step = _neighbours(view, picked)
        return self.render_template(
            "leadloom/calendar.html", view=view, picked=picked, today=today,
            days=_days(first, days, found, picked, today), choices=choices, who=who,
            previous=step[0], next=step[1], heading=_heading(view, first, days, picked),
            weekdays=[translated(d) for d in WEEKDAYS], done_texts=done_texts(),
            texts={k: translated(v) for k, v in TEXTS.items()}, title=translated(TEXTS["title"]))


def _picked_date(today: dt.date) -> dt.date:
    asked = request.args.get("date")
    if not asked:
        return today
    try:
        picked = dt.date.fromisoformat(asked)
    except ValueError:
        picked = None
    if picked is None or not YEARS[0] <= picked.year <= YEARS[1]:
        flash(translated(BAD_DATE), "warning")
        return today
    return picked


def _picked_person(me: int | None, choices: list[tuple[int, str]]) -> int | None:
    asked = request.args.get("who", "")
    if not asked:
        return me
    if asked.isdigit() and int(asked) in {i for i, _ in choices}:
        return int(asked)
    flash(translated(BAD_PERSON), "warning")
    return me


def _span(view: str, picked: dt.date) -> tuple[dt.date, int]:
    """The first day shown and how many: a Monday-to-Sunday week, or the whole weeks that
    hold the month."""
    if view == "week":
        return picked - dt.timedelta(days=picked.weekday()), 7
    first = picked.replace(day=1)
    last = _next_month(first) - dt.timedelta(days=1)
    start = first - dt.timedelta(days=first.weekday())
    stop = last + dt.timedelta(days=6 - last.weekday())
    return start, (stop - start).days + 1


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _neighbours(view: str, picked: dt.date) -> tuple[str, str]:
    if view == "week":
        return ((picked - dt.timedelta(days=7)).isoformat(),
                (picked + dt.timedelta(days=7)).isoformat())
    first = picked.replace(day=1)
    return ((first - dt.timedelta(days=1)).replace(day=1).isoformat(),
            _next_month(first).isoformat())


def _heading(view: str, first: dt.date, days: int, picked: dt.date) -> str:
    if view == "month":
        return picked.strftime("%Y-%m")
    last = first + dt.timedelta(days=days - 1)
    return f"{first.isoformat()} – {last.strftime('%m-%d')}"


def _days(first: dt.date, days: int, found: list[Entry], picked: dt.date,
          today: dt.date) -> list[dict[str, Any]]:
    """One cell per day: its date and its entries in local time."""
    cells: dict[dt.date, list[dict[str, Any]]] = {
        first + dt.timedelta(days=n): [] for n in range(days)}
    for entry in found:
        at = local_time(entry.at)
        if at.date() in cells:
            cells[at.date()].append(_item(entry, at))
    return [{"date": day, "today": day == today, "outside": day.month != picked.month,
             "weekday": day.weekday(), "items": items} for day, items in cells.items()]


def _item(entry: Entry, at: dt.datetime) -> dict[str, Any]:
    return {"entry": entry, "time": at.strftime("%H:%M"),
            "url": f"/{entry.kind}/show/{entry.id}", "is_task": entry.kind == TASK}
