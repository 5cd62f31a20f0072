"""A person's calendar: their tasks by due time and their follow-ups by when they happened,
between two instants, read through the reader's scope (a supervisor sees a rep of their
team; a rep only themselves). Days are the app's time zone's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.access.people import display_name
from leadloom.model.tables import Models
from leadloom.workflow.tasks import OPEN_STATUSES

TASK, FOLLOWUP = "task", "followup"


@dataclass(frozen=True, slots=True)
class Entry:
    """A task (at its due time) or a follow-up (at the time it happened)."""

    kind: str
    id: int
    title: str
    #: naive UTC, as stored
    at: dt.datetime
    version: int
    #: an open task, which the calendar offers to mark done
    open: bool
    lead_id: int | None
    #: the lead's number and customer; None when there is no lead or the reader can't see it
    lead_no: str | None
    customer: str | None


def people(session: Session, models: Models, actor: Actor) -> list[tuple[int, str]]:
    """Whose calendar ``actor`` may open: themselves first, then the people their task
    scope reaches (a supervisor's team, a unit, everyone), by name."""
    granted = rights(models.registry, actor, TASK)
    org = models.org
    places = []
    if "team" in granted.scopes and actor.team:
        places.append(org.c.team == actor.team)
    if "unit" in granted.scopes and actor.unit:
        places.append(org.c.unit == actor.unit)
    if "all" in granted.scopes:
        places.append(sa.true())
    query = sa.select(User.id, User.first_name, User.last_name, User.username).where(
        User.active.is_(True), sa.or_(User.id == actor.user_id, User.id.in_(
            sa.select(org.c.user_id).where(sa.or_(*places))) if places else sa.false()))
    found = sorted(((r.id, display_name(r.first_name, r.last_name, r.username))
                    for r in session.execute(query)), key=lambda p: (p[0] != actor.user_id,
                                                                      p[1]))
    return found


def local_span(first: dt.date, days: int, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``first`` and ``days`` later, in ``timezone``, as naive UTC."""
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), zone)
    return (start.astimezone(dt.UTC).replace(tzinfo=None),
            end.astimezone(dt.UTC).replace(tzinfo=None))


def entries(session: Session, models: Models, actor: Actor, user_id: int,
            start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """``user_id``'s tasks due and follow-ups made in ``[start, end)`` (naive UTC) that
    ``actor`` may see, by time."""
    found = _tasks(session, models, actor, user_id, start, end) + _followups(
        session, models, actor, user_id, start, end)
    return sorted(found, key=lambda e: (e.at, e.kind, e.id))


def _lead_join(models: Models, actor: Actor, lead_id: Any) -> tuple[Any, Any]:
    lead = models.cls("lead")
    return lead, sa.and_(lead.id == lead_id, scope_clause(models, actor, "lead"))


def _tasks(session: Session, models: Models, actor: Actor, user_id: int,
           start: dt.datetime, end: dt.datetime) -> list[Entry]:
    if not rights(models.registry, actor, TASK).allows("read"):
        return []
    task = models.cls(TASK)
    lead, joined = _lead_join(models, actor, task.lead_id)
    rows = session.execute(
        sa.select(task.id, task.title, task.due_at, task.version, task.status, task.lead_id,
                  lead.lead_no, lead.customer_name).outerjoin(lead, joined)
        .where(scope_clause(models, actor, TASK), task.assignee_id == user_id,
               task.due_at >= start, task.due_at < end, task.status != "cancelled"))
    return [Entry(TASK, r.id, r.title, r.due_at, r.version, r.status in OPEN_STATUSES,
                  r.lead_id, r.lead_no, r.customer_name) for r in rows]


def _followups(session: Session, models: Models, actor: Actor, user_id: int,
               start: dt.datetime, end: dt.datetime) -> list[Entry]:
    if not rights(models.registry, actor, FOLLOWUP).allows("read"):
        return []
    followup = models.cls(FOLLOWUP)
    lead, joined = _lead_join(models, actor, followup.lead_id)
    rows = session.execute(
        sa.select(followup.id, followup.summary, followup.occurred_at, followup.version,
                  followup.lead_id, lead.lead_no, lead.customer_name).outerjoin(lead, joined)
        .where(scope_clause(models, actor, FOLLOWUP), followup.owner_id == user_id,
               followup.occurred_at >= start, followup.occurred_at < end))
    return [Entry(FOLLOWUP, r.id, r.summary or "", r.occurred_at, r.version, False, r.lead_id,
                  r.lead_no, r.customer_name) for r in rows]
