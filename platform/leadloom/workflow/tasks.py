"""A user's open tasks by when they are due: overdue, due today (in the app's time zone) and
due within the next days. Tasks and their leads are read through the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.model.tables import Models

#: task statuses still to be done (config/options.yaml ``task_status``); ``done`` closes one
OPEN_STATUSES = ("todo", "overdue")
DONE_STATUS = "done"
#: how far ahead "upcoming" looks, in days after today
UPCOMING_DAYS = 7


@dataclass(frozen=True, slots=True)
class OpenTask:
    id: int
    title: str
    #: naive UTC, as stored
    due_at: dt.datetime
    version: int
    assignee_id: int | None
    lead_id: int | None
    #: the lead's number and customer; None when there is no lead or the reader can't see it
    lead_no: str | None
    customer: str | None


@dataclass(frozen=True, slots=True)
class Agenda:
    overdue: tuple[OpenTask, ...]
    today: tuple[OpenTask, ...]
    upcoming: tuple[OpenTask, ...]


def sees_team(models: Models, actor: Actor) -> bool:
    """Whether ``actor`` may read tasks beyond their own (a supervisor's team and wider)."""
    return rights(models.registry, actor, "task").widest_scope not in (None, "own")


def agenda(session: Session, models: Models, actor: Actor, now: dt.datetime, *,
           team: bool = False) -> Agenda:
    """Open tasks assigned to ``actor`` (``team``: every open task their scope holds) due
    before the end of the upcoming window; ``now`` is naive UTC."""
    zone = ZoneInfo(models.registry.app.timezone)
    end_of_today = _end_of_local_day(now, zone)
    horizon = end_of_today + dt.timedelta(days=UPCOMING_DAYS)
    found = _open_tasks(session, models, actor, horizon, team)
    return Agenda(overdue=tuple(t for t in found if t.due_at < now),
                  today=tuple(t for t in found if now <= t.due_at < end_of_today),
                  upcoming=tuple(t for t in found if end_of_today <= t.due_at))


def _end_of_local_day(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Midnight after ``now`` in ``zone``, as naive UTC."""
    local = now.replace(tzinfo=dt.UTC).astimezone(zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), zone)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def _open_tasks(session: Session, models: Models, actor: Actor, horizon: dt.datetime,
                team: bool) -> list[OpenTask]:
    task, lead = models.cls("task"), models.cls("lead")
    mine = sa.true() if team else task.assignee_id == actor.user_id
    query = (sa.select(task.id, task.title, task.due_at, task.version, task.assignee_id,
                       task.lead_id, lead.lead_no, lead.customer_name)
             .outerjoin(lead, sa.and_(lead.id == task.lead_id,
                                      scope_clause(models, actor, "lead")))
             .where(scope_clause(models, actor, "task"), mine,
                    task.status.in_(OPEN_STATUSES), task.due_at < horizon)
             .order_by(task.due_at, task.id))
    return [OpenTask(r.id, r.title, r.due_at, r.version, r.assignee_id, r.lead_id,
                     r.lead_no, r.customer_name) for r in session.execute(query)]
