"""My tasks: ``/tasks/mine/`` lists the caller's open tasks (overdue, today, the next days),
a supervisor can switch to the team's (``?who=team``), and ``POST /tasks/mine/done/<id>``
marks one done through the write path: a form post (back to the page) or, from the page's
script and the calendar's, JSON (the row goes away in place)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Response, flash, jsonify, redirect, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_babel import LazyString

from leadloom.access import scope_clause
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.model.tables import utcnow
from leadloom.records import Conflict, RecordError, update
from leadloom.records.leads.state import user_name
from leadloom.web.actor import request_context
from leadloom.web.calendar import URL as CALENDAR_URL
from leadloom.web.calendar import CalendarView
from leadloom.web.labels import current_locale, lazy, local_time
from leadloom.web.language import translated
from leadloom.web.state import state
from leadloom.web.task_done import done_texts
from leadloom.workflow.tasks import DONE_STATUS, UPCOMING_DAYS, OpenTask, agenda, sees_team

#: What every signed-in user is granted (``web.security``): the page shows only their scope.
PERMISSIONS = [("can_read", "MyTasks"), ("menu_access", "MyTasks"),
               ("menu_access", "MyCalendar")]
MY_TASKS = Label("我的待办", "My tasks")
CALENDAR = Message("Calendar")
ALL = Message("All")
URL = "/tasks/mine/"
TEXTS = {
    "mine": Label("我的", "Mine"), "team": Label("团队", "Team"),
    "overdue": Label("已逾期", "Overdue"), "today": Label("今天", "Today"),
    "upcoming": Label(f"即将到期（{UPCOMING_DAYS} 天内）", f"Upcoming ({UPCOMING_DAYS} days)"),
    "none": Label("没有任务", "Nothing here"), "done": Label("完成", "Done"),
    "lead": Label("线索", "Lead"), "assignee": Label("执行人", "Assignee"),
}
MARKED = Label("任务已完成：{}", "Task done: {}")
#: what a lost race says: someone else closed the task, or changed it, since the page loaded
DONE_ALREADY = Message("this task was marked done by someone else already")
CHANGED = Message("this task was changed by someone else meanwhile; reload the page and try "
                  "again")
LATE = {"d": Label("逾期 {} 天", "{} d overdue"), "h": Label("逾期 {} 小时", "{} h overdue"),
        "m": Label("逾期 {} 分钟", "{} min overdue")}


def add_tasks(appbuilder: AppBuilder) -> None:
    """The page, in the task entity's menu (线索管理)."""
    registry = state().registry
    menu = next(m for m in registry.menus if m.code == registry.entity("task").menu)
    appbuilder.add_view(MyTasksView, "MyTasks", href=URL, label=lazy(MY_TASKS),
                        icon="fa-check-square", category=menu.code,
                        category_label=lazy(menu.label), category_icon=menu.icon)
    appbuilder.add_view(CalendarView, "MyCalendar", href=CALENDAR_URL,
                        label=LazyString(lambda: translated(CALENDAR)),
                        icon="fa-calendar", category=menu.code)


def overdue_for(late: dt.timedelta) -> Label:
    """How long a task is overdue, in its largest whole unit."""
    minutes = int(late.total_seconds() // 60)
    if minutes >= 24 * 60:
        return _filled(LATE["d"], minutes // (24 * 60))
    if minutes >= 60:
        return _filled(LATE["h"], minutes // 60)
    return _filled(LATE["m"], max(minutes, 1))


def _filled(label: Label, value: object) -> Label:
    return Label(label.zh.format(value), label.en.format(value))


class MyTasksView(BaseView):
    route_base = "/tasks/mine"
    default_view = "index"
    class_permission_name = "MyTasks"
    method_permission_name = {"index": "read", "done": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        ctx = request_context("ui")
        team = sees_team(st.models, ctx.actor) and request.args.get("who") == "team"
        now = utcnow()
        found = agenda(st.db.session, st.models, ctx.actor, now, team=team)
        locale = current_locale()
        groups = [(key, [_row(ctx, t, now, locale, team) for t in tasks])
                  for key, tasks in (("overdue", found.overdue), ("today", found.today),
                                     ("upcoming", found.upcoming))]
        return self.render_template(
            "leadloom/my_tasks.html", groups=groups, team=team, locale=locale,
            calendar=CALENDAR_URL, done_texts=done_texts(),
            switch=sees_team(st.models, ctx.actor), title=MY_TASKS.get(locale),
            texts={**{k: v.get(locale) for k, v in TEXTS.items()}, "all": translated(ALL),
                   "calendar": translated(CALENDAR)})

    @expose("/done/<int:pk>", methods=["POST"])
    @has_access
    def done(self, pk: int) -> Any:
        asked = request.get_json(silent=True) if request.is_json else None
        back = URL + ("?who=team" if request.form.get("who") == "team" else "")
        ctx = request_context("ui")
        version = _version(asked) if request.is_json else request.form.get("version", type=int)
        try:
            task = update(ctx, "task", pk, {"status": DONE_STATUS}, expected_version=version)
        except RecordError as error:
            return _refused(ctx, pk, error, back)
        message = MARKED.get(current_locale()).format(task.title)
        if request.is_json:
            return jsonify(message=message, id=pk, version=task.version)
        flash(message, "success")
        return redirect(back)


def _version(asked: Any) -> int | None:
    """The version the page showed; none (no race check) when missing or not a number."""
    version = asked.get("version") if isinstance(asked, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _refused(ctx: Any, pk: int, error: RecordError, back: str) -> Any:
    """Why the task stays as it is: a lost race named as such, else the write path's words."""
    ctx.session.rollback()
    if isinstance(error, Conflict):
        detail = translated(DONE_ALREADY if _status(ctx, pk) == DONE_STATUS else CHANGED)
    else:
        detail = "; ".join(translated(m) for ms in error.errors.values() for m in ms)
        detail = detail or translated(error.message)
    if request.is_json:
        answer: Response = jsonify(message=detail)
        answer.status_code = error.status
        return answer
    flash(detail, "danger")
    return redirect(back)


def _status(ctx: Any, pk: int) -> str | None:
    task = ctx.models.cls("task")
    return ctx.session.scalar(sa.select(task.status).where(
        task.id == pk, scope_clause(ctx.models, ctx.actor, "task")))


def _row(ctx: Any, task: OpenTask, now: dt.datetime, locale: str, team: bool) -> dict[str, Any]:
    late = overdue_for(now - task.due_at).get(locale) if task.due_at < now else ""
    due = local_time(task.due_at)
    shown = "%m-%d %H:%M" if due.year == local_time(now).year else "%Y-%m-%d %H:%M"
    return {"task": task, "due": due.strftime(shown),
            "late": late, "assignee": user_name(ctx, task.assignee_id) if team else ""}
