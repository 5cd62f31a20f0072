"""Approval requests: started by the workflow guard inside a write, decided by approvers.

A request holds back what the write wanted (a stage move, or field values) until every
step of its flow is approved; the last approval applies it through the write path, as
the system, in the same transaction as the vote. One open request per record (a unique
key); every vote updates the request's version, so two decisions at once cannot both
count: the second gets a ``Conflict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from leadloom.access import Actor
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.metadata.workflows import Workflow
from leadloom.model.tables import utcnow
from leadloom.model.workflow import workflow_classes
from leadloom.records import service
from leadloom.records.errors import Conflict, Forbidden, NotFound, RecordInvalid
from leadloom.records.leads.nested import nested
from leadloom.records.notify import notify
from leadloom.workflow.approvals import (
    APPROVE,
    APPROVED,
    CANCELLED,
    PENDING,
    REJECT,
    REJECTED,
    STATUS_LABELS,
    approvers,
    find_flow,
    place_of,
    progress,
    sees,
    step_for,
)

#: the notices: approval asked (to approvers), then its outcome (to the requester)
TEXTS = {
    "asked": "Approval needed: %(flow)s · %(record)s",
    REJECTED: "Approval rejected: %(flow)s · %(record)s",
    APPROVED: "Approved: %(flow)s · %(record)s",
    CANCELLED: "Approval #%(id)s withdrawn: %(reason)s",
}


class ApprovalPending(Conflict):
    """The record waits for an approval: it cannot be moved (or the held fields changed)
    around it."""


@dataclass(slots=True)
class Request:
    """What a write asks approval for."""

    flow: Workflow
    #: ``move`` or ``change``
    kind: str
    #: field code → proposed value, as write input (JSON-ready)
    proposal: dict[str, Any]
    #: field code → the value when asked (JSON-ready)
    before: dict[str, Any] = field(default_factory=dict)
    from_stage: str | None = None
    to_stage: str | None = None


def open_request(ctx: service.Context, entity: str, record_id: int) -> Any | None:
    """The record's pending request, if any."""
    approval = workflow_classes(ctx.models.metadata).approval
    return ctx.session.scalars(sa.select(approval).where(
        approval.open_key == _open_key(entity, record_id))).first()


def _open_key(entity: str, record_id: int) -> str:
    return f"{entity}:{record_id}"


def start(ctx: service.Context, entity: Entity, record: Any, request: Request) -> Any:
    """Write a pending request for ``record`` and tell its first approvers.

    :raises RecordInvalid: a step has fewer possible approvers than it needs.
    :raises ApprovalPending: the record already has an open request.
    """
    place = place_of(ctx.session, ctx.models, record)
    flow = request.flow
    exclude = None if flow.self_approval else ctx.actor.user_id
    people = [approvers(ctx.session, ctx.models, entity.code, record.id, step, place, exclude)
              for step in flow.steps]
    short = [i for i, step in enumerate(flow.steps) if len(people[i]) < step.required]
    if short:
        step = flow.steps[short[0]]
        found = len(people[short[0]])
        raise RecordInvalid({next(iter(request.proposal), ""): [
            Message("%(step)s: not enough approvers (%(found)s of %(required)s)",
                    step=step.label, found=found, required=step.required)]})
    approval = workflow_classes(ctx.models.metadata).approval
    row = approval(
        workflow=flow.name, entity=entity.code, record_id=record.id, kind=request.kind,
        from_stage=request.from_stage, to_stage=request.to_stage, proposal=request.proposal,
        before=request.before, requester_id=ctx.actor.user_id, requester=ctx.actor.username,
        channel=ctx.channel, comment=ctx.meta.get("comment"), status=PENDING, step=0,
        decisions=0, created_at=utcnow(), open_key=_open_key(entity.code, record.id),
        config_version=ctx.registry.version)
    ctx.session.add(row)
    try:
        ctx.session.flush()
    except sa.exc.IntegrityError:
        ctx.session.rollback()
        raise ApprovalPending(Message("%(entity)s #%(id)s already waits for an approval",
                                      entity=entity.label, id=record.id)) from None
    named = _named(entity, record)
    first = progress(flow, ()).open_steps
    for index in first:
        for person in people[index]:
            if person.user_id is not None:
                notify(ctx, person.user_id, "approval", Message(
                    TEXTS["asked"], flow=flow.label, record=named), "/approvals/")
    ctx.meta["approval_started"] = row.id
    ctx.meta.setdefault("notices", []).append(
        Message("approval #%(id)s requested: %(flow)s", id=row.id, flow=flow.label))
    return row


def _named(entity: Entity, record: Any) -> Message:
    """The record an approval notice is about: a lead by number and customer (as the lead
    notices name it), any other record by its kind and title."""
    if entity.code == "lead":
        return Message("lead %(no)s (%(customer)s)",
                       no=record.lead_no or f"#{record.id}",
                       customer=record.customer_name or record.contact_name or "-")
    return Message("%(entity)s %(name)s", entity=entity.label,
                   name=getattr(record, entity.title_field, None) or f"#{record.id}")


def decide(ctx: service.Context, approval_id: int, *, approve: bool, comment: str | None) -> Any:
    """Approve or reject request ``approval_id`` as ``ctx.actor``; the last approval
    applies the request through the write path. Commits.

    :raises NotFound: no such request, or its record is out of the actor's scope.
    :raises Conflict: already decided, decided by this user, or decided meanwhile.
    :raises Forbidden: the actor is not an approver of an open step (or is the requester).
    :raises RecordInvalid: a rejection without a reason, or the request no longer applies.
    """
    classes = workflow_classes(ctx.models.metadata)
    row = ctx.session.get(classes.approval, approval_id)
    if row is None or not sees(ctx.session, ctx.models, ctx.actor, row.entity, row.record_id):
        raise _missing(approval_id)
    if row.status != PENDING:
        raise _decided(row)
    flow = find_flow(ctx.registry, row.workflow)
    if flow is None or not flow.steps:
        raise Conflict(Message("workflow '%(workflow)s' no longer exists: cancel the request",
                               workflow=row.workflow))
    if not approve and not (comment or "").strip():
        raise RecordInvalid({"comment": [Message("say why you reject")]})
    if row.requester_id == ctx.actor.user_id and not flow.self_approval:
        raise Forbidden(Message("you asked for this approval: another approver decides"))
    record = ctx.session.get(ctx.models.cls(row.entity), row.record_id)
    votes = ctx.session.scalars(sa.select(classes.vote).where(
        classes.vote.approval_id == row.id)).all()
    if any(v.voter_id == ctx.actor.user_id for v in votes):
        raise Conflict(Message("you already decided approval #%(id)s", id=approval_id))
    place = place_of(ctx.session, ctx.models, record)
    state = progress(flow, [(v.step, v.decision) for v in votes])
    step = step_for(flow, state, ctx.actor, place)
    if step is None:
        raise Forbidden(Message("you are not an approver of the step this request waits on"))
    now = utcnow()
    ctx.session.add(classes.vote(approval_id=row.id, step=step, voter_id=ctx.actor.user_id,
                                 voter=ctx.actor.username,
                                 decision=APPROVE if approve else REJECT,
                                 comment=comment, at=now))
    row.decisions = (row.decisions or 0) + 1
    after = progress(flow, [*[(v.step, v.decision) for v in votes], (step, APPROVE)])
    if not approve or after.done:
        _close(row, REJECTED if not approve else APPROVED, ctx.actor, comment, now)
    else:
        row.step = after.open_steps[0]
    _flush(ctx, row)
    entity = ctx.registry.view(row.entity, getattr(record, "unit", None))
    named = _named(entity, record)
    if row.status == PENDING:
        _tell_next(ctx, row, flow, place, state.open_steps, after.open_steps,
                   Message(TEXTS["asked"], flow=flow.label, record=named))
        service.commit(ctx)
    else:
        _tell(ctx, row.requester_id, Message(
            TEXTS[row.status], flow=flow.label, record=named), row)
        with nested(ctx) as inside:  # a plugin's writes commit with the decision
            ctx.registry.plugins.approval_decided(inside, row, row.status == APPROVED)
        if row.status == REJECTED:
            service.commit(ctx)
        else:
            _apply(ctx, row, comment)
    return row


def _missing(approval_id: int) -> NotFound:
    return NotFound(Message("approval #%(id)s not found", id=approval_id))


def _decided(row: Any) -> Conflict:
    return Conflict(Message("approval #%(id)s is already %(status)s", id=row.id,
                            status=STATUS_LABELS.get(row.status, row.status)))


def _close(row: Any, status: str, actor: Actor, comment: str | None, now: Any) -> None:
    row.status = status
    row.open_key = None
    row.decided_at = now
    row.decided_by_id = actor.user_id
    row.decision_comment = comment


def _flush(ctx: service.Context, row: Any) -> None:
    """Write the vote and the request now: a decision made meanwhile is a Conflict."""
    try:
        ctx.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        ctx.session.rollback()
        raise Conflict(Message("approval #%(id)s was decided by someone else meanwhile; "
                               "reload it", id=row.id)) from None


def _apply(ctx: service.Context, row: Any, comment: str | None) -> None:
    """Carry out the approved request as the system, in the vote's transaction."""
    system = service.Context(Actor.system_actor(), ctx.session, ctx.models, channel=ctx.channel,
                     meta={"approval": row.id,
                           "comment": f"审批 #{row.id} 通过 ({ctx.actor.username})"
                           + (f": {comment}" if comment else "")})
    try:
        service.update(system, row.entity, row.record_id, dict(row.proposal))
    except RecordInvalid as exc:
        raise RecordInvalid({k: [Message("the approved change no longer applies: %(reason)s",
                                         reason=m) for m in v]
                             for k, v in exc.errors.items()}) from None


def _tell_next(ctx: service.Context, row: Any, flow: Workflow, place: Any,
               before: tuple[int, ...], after: tuple[int, ...], title: Message) -> None:
    """A sequential flow moved on: tell the next step's approvers."""
    for index in (i for i in after if i not in before):
        for person in approvers(ctx.session, ctx.models, row.entity, row.record_id,
                                flow.steps[index], place,
                                None if flow.self_approval else row.requester_id):
            if person.user_id is not None:
                notify(ctx, person.user_id, "approval", f"待审批: {title}", "/approvals/")


def _tell(ctx: service.Context, user_id: int | None, title: Message, row: Any) -> None:
    if user_id is not None:
        notify(ctx, user_id, "approval", title, f"/{row.entity}/show/{row.record_id}")


def cancel(ctx: service.Context, approval_id: int) -> Any:
    """Withdraw a pending request: its requester (or an admin) may. Commits.

    :raises NotFound: no such request in the actor's scope.
    :raises Forbidden: someone else's request.
    :raises Conflict: already decided.
    """
    classes = workflow_classes(ctx.models.metadata)
    row = ctx.session.get(classes.approval, approval_id)
    if row is None or not sees(ctx.session, ctx.models, ctx.actor, row.entity, row.record_id):
        raise _missing(approval_id)
    admin = any(r.admin for r in ctx.registry.roles if r.code in ctx.actor.roles)
    if row.requester_id != ctx.actor.user_id and not admin:
        raise Forbidden(Message("only the requester withdraws a request"))
    if row.status != PENDING:
        raise _decided(row)
    _close(row, CANCELLED, ctx.actor, "withdrawn", utcnow())
    row.decisions = (row.decisions or 0) + 1
    _flush(ctx, row)
    service.commit(ctx)
    return row


def supersede(ctx: service.Context, entity: str, record_id: int, reason: Message) -> None:
    """Close the record's open request because the record moved on without it (the
    system moved it, or it was deleted)."""
    row = open_request(ctx, entity, record_id)
    if row is None or row.id == ctx.meta.get("approval"):
        return
    _close(row, CANCELLED, ctx.actor, reason, utcnow())
    row.decisions = (row.decisions or 0) + 1
    _tell(ctx, row.requester_id, Message(TEXTS[CANCELLED], id=row.id, reason=reason), row)
