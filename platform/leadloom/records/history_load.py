"""Loaded history: dated stage paths and decided approvals the system writes in batches
(demo data, migrations from another CRM), one statement per table.

The records these belong to are created through ``bulk_create`` as the system actor; with
``Context.meta[LOADED_PATHS]`` set, their creation adds no stage entry of its own, since
the loaded path starts with it. Append-only like the rest of the trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadloom.model.workflow import workflow_classes
from leadloom.records import service
from leadloom.records.appends import append_rows
from leadloom.records.errors import not_allowed

Context = service.Context

#: ``Context.meta`` key: the system loads whole stage paths with ``load_moves``
LOADED_PATHS = "stage_paths"
APPROVED = "approved"


@dataclass(frozen=True, slots=True)
class Move:
    """One dated stage move; ``from_stage`` None: the record's first stage."""

    record_id: int
    from_stage: str | None
    to_stage: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Vote:
    step: int
    voter_id: int
    voter: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class DecidedApproval:
    """An approval request as it ended: approved, with its votes (one per step)."""

    workflow: str
    entity: str
    record_id: int
    kind: str
    proposal: dict[str, Any]
    before: dict[str, Any]
    requester_id: int
    requester: str
    created_at: dt.datetime
    votes: tuple[Vote, ...]
    from_stage: str | None = None
    to_stage: str | None = None
    comment: str | None = None


def _system_only(ctx: Context, entity: str) -> None:
    if not ctx.actor.system:
        raise not_allowed("create", ctx.registry.entity(entity).label)


def load_moves(ctx: Context, entity: str, funnel: str, moves: list[Move]) -> int:
    """Append dated stage moves (each record's in time order) in one stream; the time
    spent in the stage left runs from the record's previous move in ``moves``. Commits.

    :raises Forbidden: the actor is not the system.
    """
    _system_only(ctx, entity)
    entered: dict[int, dt.datetime] = {}
    rows = []
    for move in moves:
        since = entered.get(move.record_id)
        rows.append({
            "entity": entity, "record_id": move.record_id, "funnel": funnel,
            "from_stage": move.from_stage, "to_stage": move.to_stage, "at": move.at,
            "seconds_in_from": int((move.at - since).total_seconds()) if since else None,
            "actor_id": ctx.actor.user_id, "actor": ctx.actor.username,
            "channel": ctx.channel, "comment": None, "approval_id": None})
        entered[move.record_id] = move.at
    # COPY on PostgreSQL: 2.5 moves a lead, an INSERT's rows cost the server and psycopg
    # more than the stream's
    append_rows(ctx.session, workflow_classes(ctx.models.metadata).stage.__table__, rows)
    service.commit(ctx)
    return len(rows)


def load_approvals(ctx: Context, approvals: list[DecidedApproval]) -> list[int]:
    """Insert decided approvals and their votes, one statement each; returns the ids in
    order. Commits.

    :raises Forbidden: the actor is not the system.
    """
    if not approvals:
        return []
    for entity in sorted({a.entity for a in approvals}):
        _system_only(ctx, entity)
    classes = workflow_classes(ctx.models.metadata)
    table = classes.approval.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = list(ctx.session.scalars(statement, [{
        "workflow": a.workflow, "entity": a.entity, "record_id": a.record_id, "kind": a.kind,
        "from_stage": a.from_stage, "to_stage": a.to_stage, "proposal": a.proposal,
        "before": a.before, "requester_id": a.requester_id, "requester": a.requester,
        "channel": ctx.channel, "comment": a.comment, "status": APPROVED,
        "step": max(v.step for v in a.votes), "decisions": len(a.votes),
        "created_at": a.created_at, "decided_at": max(v.at for v in a.votes),
        "decided_by_id": max(a.votes, key=lambda v: (v.at, v.step)).voter_id,
        "decision_comment": None, "open_key": None, "config_version": ctx.registry.version,
        "version": 1 + len(a.votes)} for a in approvals]))
    ctx.session.execute(sa.insert(classes.vote.__table__), [
        {"approval_id": approval_id, "step": v.step, "voter_id": v.voter_id,
         "voter": v.voter, "decision": "approve", "comment": None, "at": v.at}
        for approval_id, a in zip(ids, approvals, strict=True) for v in a.votes])
    service.commit(ctx)
    return ids
