"""Moving a record to another stage: a write through the write path like any other.

``transition`` loads the record in the actor's scope, checks the target is a stage of the
record's funnel and writes the stage with ``update`` — so the workflow guard, every other
hook and the audit trail see it exactly as they see a form or a REST update changing the
stage. What it adds: the comment travels with the write, a stale ``version`` or a move
that lost a race answers with the record's current state, and the answer says whether the
record moved or an approval was requested instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.records.approvals import ApprovalPending, open_request
from leadloom.records.errors import Conflict, NotFound, RecordInvalid
from leadloom.records.service import Context, get, update
from leadloom.workflow.stages import current_stage, funnel_of, stage_label, stage_name


class StaleTransition(Conflict):
    """Someone moved or changed the record first; ``current`` is where it stands now."""

    def __init__(self, message: str, current: dict[str, Any]) -> None:
        super().__init__(message, {"version": [message]})
        self.current = current


@dataclass(frozen=True, slots=True)
class Transition:
    """What a move did: the record (moved, or not) and the approval it asked for, if any."""

    record: Any
    moved: bool
    approval_id: int | None = None
    notices: tuple[str, ...] = ()


def transition(ctx: Context, entity_code: str, pk: int, to: str,
               comment: str | None = None, expected_version: int | None = None,
               values: Mapping[str, Any] | None = None) -> Transition:
    """Move record ``pk`` of ``entity_code`` to stage ``to``.

    :param values: fields written with the move, e.g. the ``lost_reason`` that entering
        the lost stage needs (checked like any other write of them).

    :raises NotFound: no such record in the actor's scope, or its entity has no funnel.
    :raises RecordInvalid: an unknown stage, or a guard refused (e.g. missing fields).
    :raises StaleTransition: ``expected_version`` is stale, or another move won a race.
    :raises ApprovalPending: the record waits for an approval.
    """
    record = get(ctx, entity_code, pk)
    view = ctx.registry.view(entity_code, record.unit)
    funnel = funnel_of(ctx.registry, entity_code, record.unit)
    if funnel is None:
        raise NotFound(Message("%(entity)s records have no funnel", entity=view.label))
    if funnel.stage(to) is None:
        known = ", ".join(s.code for s in funnel.stages)
        raise RecordInvalid({"to": [Message("unknown stage '%(stage)s' (known: %(known)s)",
                                            stage=to, known=known)]})
    if expected_version is not None and int(expected_version) != record.version:
        raise _stale(ctx, entity_code, pk, view)  # first: the winner of a race moved it
    if to == current_stage(funnel, getattr(record, funnel.field)).code:
        raise RecordInvalid({"to": [Message("the record is already in %(stage)s",
                                            stage=stage_name(view, funnel, to))]})
    meta: dict[str, Any] = {"comment": (comment or "").strip() or None, "transition": to}
    moving = Context(ctx.actor, ctx.session, ctx.models, ctx.channel, meta)
    data = {k: v for k, v in (values or {}).items() if k != "version"}
    data[funnel.field] = to
    try:
        saved = update(moving, entity_code, pk, data, expected_version=expected_version)
    except ApprovalPending:
        raise
    except Conflict:
        raise _stale(ctx, entity_code, pk, view) from None
    started = meta.get("approval_started")
    moved = started is None and getattr(saved, funnel.field) == to
    return Transition(saved, moved, started, tuple(meta.get("notices", ())))


def _stale(ctx: Context, entity_code: str, pk: int, view: Entity) -> StaleTransition:
    """A Conflict that says where the record stands now (read afresh)."""
    ctx.session.rollback()
    return StaleTransition(
        Message("%(entity)s #%(id)s was changed by someone else meanwhile; it is shown as it "
                "is now", entity=view.label, id=pk), current_state(ctx, entity_code, pk))


def current_state(ctx: Context, entity_code: str, pk: int) -> dict[str, Any]:
    """The record's stage, version and open approval, as the actor may see them."""
    record = get(ctx, entity_code, pk)
    funnel = funnel_of(ctx.registry, entity_code, record.unit)
    view = ctx.registry.view(entity_code, record.unit)
    pending = open_request(ctx, entity_code, pk)
    stage = getattr(record, funnel.field) if funnel else None
    return {
        "id": record.id, "version": record.version, "stage": stage,
        "stage_label": stage_label(view, funnel, stage, _locale(ctx)) if funnel else None,
        "pending_approval": pending.id if pending is not None else None,
    }


def _locale(ctx: Context) -> str:
    return ctx.registry.app.default_locale
