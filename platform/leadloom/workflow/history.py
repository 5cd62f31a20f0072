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
from leadloom.workflow.approvals import PENDING, sees


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


@dataclass(frozen=True, slots=True)
class RecordRows:
    """A record's stage moves (oldest first) and approval requests (newest first) with
    their votes (by request id, oldest first), read once for a page that shows them in
    several places (header, approvals panel, history)."""

    stages: list[Any]
    approvals: list[Any]
    votes: dict[int, list[Any]]

    @property
    def pending(self) -> Any | None:
        """The open request, if any."""
        return next((a for a in self.approvals if a.status == PENDING), None)


def record_rows(session: Session, models: Models, entity: str, record_id: int) -> RecordRows:
    """The record's stage moves, requests and votes in two statements; the caller has read
    the record through the reader's scope."""
    classes = workflow_classes(models.metadata)
    approval, vote = classes.approval, classes.vote
    voted = session.execute(
        sa.select(approval, vote).outerjoin(vote, vote.approval_id == approval.id)
        .where(approval.entity == entity, approval.record_id == record_id)
        .order_by(approval.id.desc(), vote.id)).all()
    approvals: dict[int, Any] = {}
    votes: dict[int, list[Any]] = {}
    for request, one_vote in voted:
        approvals.setdefault(request.id, request)
        votes.setdefault(request.id, [])
        if one_vote is not None:
            votes[request.id].append(one_vote)
    return RecordRows(_stage_rows(session, models, entity, record_id),
                      list(approvals.values()), votes)


def timeline(session: Session, models: Models, actor: Actor, entity: str,
             record_id: int, rows: RecordRows | None = None) -> list[Event] | None:
    """The record's events, newest first; None if ``actor`` may not read the record.

    ``rows``: its stage moves and requests already read (``record_rows``, for a record
    read through the actor's scope), so only the audit trail is read here.
    """
    if rows is None and not sees(session, models, actor, entity, record_id):
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
    stages = rows.stages if rows is not None else session.scalars(sa.select(stage).where(
        stage.entity == entity, stage.record_id == record_id))
    for row in stages:
        events.append(Event(row.at, "move", row.actor, row.channel, None, (), row.comment,
                            row.approval_id, row.from_stage, row.to_stage,
                            row.seconds_in_from))
    requests = rows.approvals if rows is not None else session.scalars(
        sa.select(approval).where(approval.entity == entity, approval.record_id == record_id))
    for row in requests:
        events.append(Event(row.created_at, "approval", row.requester, row.channel, None,
                            (), row.comment, row.id, row.from_stage, row.to_stage,
                            status=row.status))
    order = {"approval": 0, "create": 1, "update": 1, "delete": 1, "move": 2}
    events.sort(key=lambda e: (e.at, order.get(e.kind, 3)), reverse=True)
    return events


def path(session: Session, models: Models, entity: str, record_id: int,
         now: dt.datetime, rows: RecordRows | None = None) -> list[Visit]:
    """The stages the record went through, oldest first, with the time spent in each
    (``rows``: its stage moves already read)."""
    stages = rows.stages if rows is not None else _stage_rows(session, models, entity,
                                                               record_id)
    visits = []
    for i, row in enumerate(stages):
        left = stages[i + 1].at if i + 1 < len(stages) else None
        seconds = int(((left or now) - row.at).total_seconds())
        visits.append(Visit(row.to_stage, row.at, left, seconds))
    return visits


def _stage_rows(session: Session, models: Models, entity: str, record_id: int) -> list[Any]:
    stage = workflow_classes(models.metadata).stage
    return list(session.scalars(sa.select(stage).where(
        stage.entity == entity, stage.record_id == record_id).order_by(stage.at, stage.id)))
