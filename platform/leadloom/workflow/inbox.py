"""Approval requests as people see them: my inbox (requests I may decide now), my own
requests, a record's requests — each limited to records the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.metadata.registry import Registry
from leadloom.model.tables import Models
from leadloom.model.workflow import workflow_classes
from leadloom.workflow.approvals import (
    PENDING,
    Place,
    find_flow,
    place_of,
    progress,
    step_for,
)
from leadloom.workflow.history import RecordRows
from leadloom.workflow.stages import funnel_of, stage_label


@dataclass(frozen=True, slots=True)
class StepState:
    label: str
    approved: int
    required: int
    waiting: bool


@dataclass(frozen=True, slots=True)
class Vote:
    voter: str
    decision: str
    comment: str | None
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Item:
    """One request, as ``reader`` sees it."""

    id: int
    workflow: str
    title: str
    entity: str
    record_id: int
    record: str
    kind: str
    from_label: str | None
    to_label: str | None
    proposal: dict[str, Any]
    before: dict[str, Any]
    requester: str
    requester_id: int | None
    comment: str | None
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_comment: str | None
    steps: tuple[StepState, ...]
    votes: tuple[Vote, ...]
    #: the reader may approve or reject it now
    can_decide: bool
    #: the reader asked for it (and may withdraw it while pending)
    mine: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "workflow": self.workflow, "title": self.title,
            "entity": self.entity, "record_id": self.record_id, "record": self.record,
            "kind": self.kind, "from": self.from_label, "to": self.to_label,
            "proposal": self.proposal, "before": self.before, "requester": self.requester,
            "comment": self.comment, "status": self.status,
            "created_at": self.created_at.isoformat(),
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decision_comment": self.decision_comment,
            "steps": [{"label": s.label, "approved": s.approved, "required": s.required,
                       "waiting": s.waiting} for s in self.steps],
            "votes": [{"voter": v.voter, "decision": v.decision, "comment": v.comment,
                       "at": v.at.isoformat()} for v in self.votes],
            "can_decide": self.can_decide, "mine": self.mine,
            "link": f"/{self.entity}/show/{self.record_id}",
        }


def _readable(registry: Registry, actor: Actor) -> list[str]:
    return [e.code for e in registry.entities
            if rights(registry, actor, e.code).allows("read")]


def _rows(session: Session, models: Models, actor: Actor, *where: Any,
          limit: int = 200) -> list[tuple[Any, Any]]:
    """(request, record) pairs for records the actor may read, newest first."""
    approval = workflow_classes(models.metadata).approval
    found: list[tuple[Any, Any]] = []
    for code in _readable(models.registry, actor):
        cls = models.cls(code)
        query = (sa.select(approval, cls).join(cls, cls.id == approval.record_id)
                 .where(approval.entity == code, scope_clause(models, actor, code), *where)
                 .order_by(approval.id.desc()).limit(limit))
        found += [(a, r) for a, r in session.execute(query).unique().all()]
    found.sort(key=lambda pair: -pair[0].id)
    return found[:limit]


def inbox(session: Session, models: Models, actor: Actor, locale: str) -> list[Item]:
    """Pending requests ``actor`` may decide now."""
    approval = workflow_classes(models.metadata).approval
    items = [_item(session, models, actor, a, r, locale)
             for a, r in _rows(session, models, actor, approval.status == PENDING)]
    return [i for i in items if i.can_decide]


def requested_by(session: Session, models: Models, actor: Actor, locale: str,
                 limit: int = 50) -> list[Item]:
    """Requests ``actor`` made, newest first."""
    approval = workflow_classes(models.metadata).approval
    return [_item(session, models, actor, a, r, locale) for a, r in _rows(
        session, models, actor, approval.requester_id == actor.user_id, limit=limit)]


def for_record(session: Session, models: Models, actor: Actor, record: Any, rows: RecordRows,
               locale: str, place: Place | None = None) -> list[Item]:
    """The requests of ``record`` (read through the actor's scope), newest first, from its
    requests and votes read already (``history.record_rows``) and, if known, where the
    record sits (``place``): no statement of its own."""
    return [_item(session, models, actor, a, record, locale, rows.votes.get(a.id, []), place)
            for a in rows.approvals]


def one(session: Session, models: Models, actor: Actor, approval_id: int,
        locale: str) -> Item | None:
    """Request ``approval_id`` if ``actor`` may read its record."""
    approval = workflow_classes(models.metadata).approval
    rows = _rows(session, models, actor, approval.id == approval_id)
    return _item(session, models, actor, *rows[0], locale) if rows else None


def _item(session: Session, models: Models, actor: Actor, row: Any, record: Any,
          locale: str, votes: list[Any] | None = None, place: Place | None = None) -> Item:
    """``votes``: the request's votes if read already, oldest first; ``place``: where the
    record sits, if known."""
    registry = models.registry
    classes = workflow_classes(models.metadata)
    flow = find_flow(registry, row.workflow)
    view = registry.view(row.entity, getattr(record, "unit", None))
    if votes is None:
        votes = list(session.scalars(sa.select(classes.vote).where(
            classes.vote.approval_id == row.id).order_by(classes.vote.id)))
    steps: tuple[StepState, ...] = ()
    can_decide = False
    if flow is not None and flow.steps:
        state = progress(flow, [(v.step, v.decision) for v in votes])
        steps = tuple(StepState(s.label.get(locale), state.counts[i], s.required,
                                row.status == PENDING and i in state.open_steps)
                      for i, s in enumerate(flow.steps))
        can_decide = (row.status == PENDING
                      and all(v.voter_id != actor.user_id for v in votes)
                      and (flow.self_approval or row.requester_id != actor.user_id)
                      and step_for(flow, state, actor,
                                   place or place_of(session, models, record))
                      is not None)
    funnel = funnel_of(registry, row.entity, getattr(record, "unit", None))
    hidden = rights(registry, actor, row.entity).hidden
    return Item(
        id=row.id, workflow=row.workflow,
        title=flow.label.get(locale) if flow else row.workflow, entity=row.entity,
        record_id=row.record_id,
        record=str(getattr(record, view.title_field, None) or f"#{row.record_id}"),
        kind=row.kind,
        from_label=stage_label(view, funnel, row.from_stage, locale) if funnel else None,
        to_label=stage_label(view, funnel, row.to_stage, locale) if funnel else None,
        proposal={k: v for k, v in row.proposal.items() if k not in hidden},
        before={k: v for k, v in row.before.items() if k not in hidden},
        requester=row.requester,
        requester_id=row.requester_id, comment=row.comment, status=row.status,
        created_at=row.created_at, decided_at=row.decided_at,
        decision_comment=row.decision_comment, steps=steps,
        votes=tuple(Vote(v.voter, v.decision, v.comment, v.at) for v in votes),
        can_decide=can_decide, mine=row.requester_id == actor.user_id)
