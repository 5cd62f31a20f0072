"""Approval flows: which flow a move or a change triggers, who may decide which step, and
how far a request has come. Reads only; ``records.approvals`` writes requests and votes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.metadata.funnels import Stage
from leadloom.metadata.registry import Label, Registry
from leadloom.metadata.workflows import Step, Workflow
from leadloom.model.tables import Models
from leadloom.workflow.conditions import Conditions

PENDING, APPROVED, REJECTED, CANCELLED = "pending", "approved", "rejected", "cancelled"
APPROVE, REJECT = "approve", "reject"
#: How a request's status reads (the inbox, the timeline, refusals).
STATUS_LABELS = {PENDING: Label("待审批", "pending"), APPROVED: Label("已通过", "approved"),
                 REJECTED: Label("已驳回", "rejected"), CANCELLED: Label("已撤销", "withdrawn")}


def flows_of(registry: Registry, entity: str) -> tuple[Workflow, ...]:
    """The approval flows (workflows with a trigger) of ``entity``."""
    return tuple(w for w in registry.workflows if w.entity == entity and w.trigger)


def find_flow(registry: Registry, name: str) -> Workflow | None:
    return next((w for w in registry.workflows if w.name == name), None)


def move_flow(registry: Registry, conditions: Conditions, entity: str, kind: str,
              source: Stage, target: Stage, values: Mapping[str, Any],
              before: Mapping[str, Any]) -> Workflow | None:
    """The first flow a move triggers: its kind, source and target match and its
    condition holds for the record's values with the write applied (``values``) and as
    stored (``before``: ``old.stage`` is the stage the move leaves)."""
    for flow in flows_of(registry, entity):
        trigger = flow.trigger
        assert trigger is not None
        if trigger.on_change:
            continue
        if trigger.moves and kind not in trigger.moves:
            continue
        if trigger.to and target.code not in trigger.to:
            continue
        if trigger.from_ and source.code not in trigger.from_:
            continue
        if conditions.holds(entity, trigger.when, values, before):
            return flow
    return None


def change_flow(registry: Registry, conditions: Conditions, entity: str,
                before: Mapping[str, Any], values: Mapping[str, Any]
                ) -> tuple[Workflow, tuple[str, ...]] | None:
    """The first flow a field change triggers, and the changed fields it holds back.

    The condition sees the new values of the flow's own fields and the stored values of
    every other field: ``finance_status == 'confirmed'`` on an amount change means the
    record was confirmed, not that this write confirms it; ``old.<field>`` is always the
    stored value.
    """
    for flow in flows_of(registry, entity):
        trigger = flow.trigger
        assert trigger is not None
        held = tuple(f for f in trigger.fields if f in values)
        if not held:
            continue
        seen = {**before, **{f: values[f] for f in held}}
        if conditions.holds(entity, trigger.when, seen, before):
            return flow, held
    return None


# ---- who decides -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Place:
    """Where a record stands for the relations: its owner, the owner's team, its unit."""

    owner_id: int | None
    owner_team: str | None
    unit: str | None


def place_of(session: Session, models: Models, record: Any) -> Place:
    owner = getattr(record, "owner_id", None)
    team = None
    if owner is not None:
        org = models.org
        team = session.scalar(sa.select(org.c.team).where(org.c.user_id == owner))
    return Place(owner, team, getattr(record, "unit", None))


def in_step(step: Step, actor: Actor, place: Place) -> bool:
    """Whether ``actor`` is one of the approvers ``step`` names for a record at ``place``."""
    if actor.user_id is None or actor.system:
        return False
    if step.role is not None and step.role not in actor.roles:
        return False
    if step.relation == "owner":
        return actor.user_id == place.owner_id
    if step.relation == "owner_team":
        return place.owner_team is not None and actor.team == place.owner_team
    if step.relation == "owner_unit":
        return place.unit is not None and actor.unit == place.unit
    return True


def sees(session: Session, models: Models, actor: Actor, entity: str, record_id: int) -> bool:
    """Whether ``actor`` may read record ``record_id`` (the one read scope)."""
    if not rights(models.registry, actor, entity).allows("read"):
        return False
    cls = models.cls(entity)
    return session.scalar(sa.select(cls.id).where(
        cls.id == record_id, scope_clause(models, actor, entity))) is not None


def approvers(session: Session, models: Models, entity: str, record_id: int, step: Step,
              place: Place, exclude: int | None = None) -> list[Actor]:
    """Everyone who may decide ``step`` for the record (active users who can read it)."""
    query = sa.select(User.id, User.username).where(User.active.is_(True))
    if step.role is not None:
        query = query.where(User.roles.any(Role.name == step.role))
    org = models.org
    if step.relation == "owner":
        query = query.where(User.id == place.owner_id)
    elif step.relation == "owner_team":
        query = query.where(User.id.in_(sa.select(org.c.user_id).where(
            org.c.team == place.owner_team)))
    elif step.relation == "owner_unit":
        query = query.where(User.id.in_(sa.select(org.c.user_id).where(
            org.c.unit == place.unit)))
    found = []
    for user_id, username in session.execute(query.order_by(User.id)).all():
        if user_id == exclude:
            continue
        actor = actor_of(session, models, user_id, username)
        if sees(session, models, actor, entity, record_id):
            found.append(actor)
    return found


def actor_of(session: Session, models: Models, user_id: int, username: str) -> Actor:
    """The Actor of a user: their roles, team and unit."""
    roles = tuple(session.scalars(sa.select(Role.name).join(User.roles).where(
        User.id == user_id)))
    org = models.org
    row = session.execute(sa.select(org.c.team, org.c.unit).where(
        org.c.user_id == user_id)).first()
    return Actor(user_id, username, roles, team=row.team if row else None,
                 unit=row.unit if row else None)


# ---- progress ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Progress:
    """Approvals per step, the steps that wait for decisions, and whether all are done."""

    counts: tuple[int, ...]
    open_steps: tuple[int, ...]

    @property
    def done(self) -> bool:
        return not self.open_steps


def progress(flow: Workflow, votes: Iterable[tuple[int, str]]) -> Progress:
    """Where a request stands: a sequential flow waits on its first unmet step, a parallel
    one on every unmet step."""
    counts = [0] * len(flow.steps)
    for step, decision in votes:
        if decision == APPROVE and 0 <= step < len(counts):
            counts[step] += 1
    unmet = [i for i, step in enumerate(flow.steps) if counts[i] < step.required]
    if flow.order == "sequential":
        unmet = unmet[:1]
    return Progress(tuple(counts), tuple(unmet))


def step_for(flow: Workflow, state: Progress, actor: Actor, place: Place) -> int | None:
    """The open step ``actor``'s vote counts for (the first they may decide), or None."""
    for index in state.open_steps:
        if in_step(flow.steps[index], actor, place):
            return index
    return None
