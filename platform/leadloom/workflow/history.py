"""A record's history: its audit trail, its path through the funnel with the time spent in
each stage, and its approval requests, merged into one timeline. Only for readers who may
see the record; fields hidden from the reader are left out of every change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights
from leadloom.model.tables import Models
from leadloom.model.workflow import workflow_classes
from leadloom.workflow.approvals import sees


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the timeline (an audited write, a stage move, an approval)."""

    at: dt.datetime
    kind: str
    actor: str
    channel: str | None = None
    config_version: int | None = None
    changes: tuple[Change, ...] = ()
    comment: str | None = None
    approval_id: int | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    #: time spent in ``from_stage`` (a move), in seconds
    seconds: int | None = None
    status: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "actor": self.actor,
                "channel": self.channel, "config_version": self.config_version,
                "changes": {c.field: [c.old, c.new] for c in self.changes},
                "comment": self.comment, "approval_id": self.approval_id,
                "from_stage": self.from_stage, "to_stage": self.to_stage,
                "seconds": self.seconds, "status": self.status}


@dataclass(frozen=True, slots=True)
class Visit:
    """A stay in one stage: when it began and ended, and how long it lasted."""

    stage: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    seconds: int | None


def timeline(session: Session, models: Models, actor: Actor, entity: str,
             record_id: int) -> list[Event] | None:
    """The record's events, newest first; None if ``actor`` may not read the record."""
    if not sees(session, models, actor, entity, record_id):
        return None
    hidden = rights(models.registry, actor, entity).hidden
    classes = workflow_classes(models.metadata)
    audit, stage, approval = classes.audit, classes.stage, classes.approval
    events: list[Event] = []
    for row in session.scalars(sa.select(audit).where(
            audit.entity == entity, audit.record_id == record_id)):
        changes = tuple(Change(f, old, new) for f, (old, new) in row.changes.items()
                        if f not in hidden)
        events.append(Event(row.at, row.action, row.actor, row.channel, row.config_version,
                            changes, row.comment, row.approval_id))
    for row in session.scalars(sa.select(stage).where(
            stage.entity == entity, stage.record_id == record_id)):
        events.append(Event(row.at, "move", row.actor, row.channel, None, (), row.comment,
                            row.approval_id, row.from_stage, row.to_stage,
                            row.seconds_in_from))
    for row in session.scalars(sa.select(approval).where(
            approval.entity == entity, approval.record_id == record_id)):
        events.append(Event(row.created_at, "approval", row.requester, row.channel, None,
                            (), row.comment, row.id, row.from_stage, row.to_stage,
                            status=row.status))
    order = {"approval": 0, "create": 1, "update": 1, "delete": 1, "move": 2}
    events.sort(key=lambda e: (e.at, order.get(e.kind, 3)), reverse=True)
    return events


def path(session: Session, models: Models, entity: str, record_id: int,
         now: dt.datetime) -> list[Visit]:
    """The stages the record went through, oldest first, with the time spent in each."""
    stage = workflow_classes(models.metadata).stage
    rows = session.scalars(sa.select(stage).where(
        stage.entity == entity, stage.record_id == record_id).order_by(stage.at,
                                                                       stage.id)).all()
    visits = []
    for i, row in enumerate(rows):
        left = rows[i + 1].at if i + 1 < len(rows) else None
        seconds = int(((left or now) - row.at).total_seconds())
        visits.append(Visit(row.to_stage, row.at, left, seconds))
    return visits
