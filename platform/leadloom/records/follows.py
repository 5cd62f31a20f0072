"""What a stage move leaves behind: its stage history entry, and the moves of records
whose stage follows another record's state (a confirmed contract moves its lead into the
won stage; returning it moves the lead back). Part of the workflow guard's ``after_save``;
the linked moves are nested writes through the write path, in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.metadata.funnels import Funnel, Stage
from leadloom.metadata.registry import Registry
from leadloom.model.tables import utcnow
from leadloom.model.workflow import workflow_classes
from leadloom.records import service
from leadloom.records.appends import append_rows
from leadloom.records.history_load import LOADED_PATHS
from leadloom.records.hooks import Change
from leadloom.workflow.stages import current_stage, funnel_of
from leadloom.workflow.values import plain


def record_move(change: Change, funnel: Funnel, source: Stage | None, target: Stage) -> None:
    """Append the move to the stage history, with the time spent in the stage left."""
    ctx = change.ctx
    if path_loaded(change):
        return
    entry = workflow_classes(ctx.models.metadata).stage
    since = None
    if source is not None:
        since = ctx.session.scalar(sa.select(sa.func.max(entry.at)).where(
            entry.entity == change.entity.code, entry.record_id == change.record.id))
        since = since or getattr(change.record, "created_at", None)
    record_moves(ctx, [move_row(change, funnel, source, target, since)])


def path_loaded(change: Change) -> bool:
    """A record the system loads with its stage path (``history_load``): its creation adds
    no stage entry of its own."""
    return change.creating and change.ctx.actor.system and bool(
        change.ctx.meta.get(LOADED_PATHS))


def record_moves(ctx: service.Context, rows: list[dict[str, Any]]) -> None:
    """Append stage history rows (``move_row``), one COPY or executemany for all."""
    append_rows(ctx.session, workflow_classes(ctx.models.metadata).stage.__table__, rows)


def move_row(change: Change, funnel: Funnel, source: Stage | None, target: Stage,
             since: dt.datetime | None) -> dict[str, Any]:
    """One stage history row; ``since``: when the record entered ``source``."""
    ctx = change.ctx
    now = change.at or utcnow()
    return {
        "entity": change.entity.code, "record_id": change.record.id,
        "funnel": funnel.name, "from_stage": source.code if source else None,
        "to_stage": target.code, "at": now,
        "seconds_in_from": int((now - since).total_seconds()) if since else None,
        "actor_id": ctx.actor.user_id, "actor": ctx.actor.username,
        "channel": ctx.channel, "comment": ctx.meta.get("comment"),
        "approval_id": ctx.meta.get("approval")}


def follow(registry: Registry, change: Change) -> None:
    """Records whose stage follows this record's state (a lead follows its contract)."""
    for funnel in registry.funnels:
        for stage in funnel.stages:
            follows = stage.follows
            if follows is None or follows.entity != change.entity.code:
                continue
            if not (change.creating or change.deleting or change.changed(follows.field)
                    or change.changed(follows.link)):
                continue
            linked = {change.values.get(follows.link, change.before.get(follows.link)),
                      change.before.get(follows.link)}
            for record_id in sorted(int(i) for i in linked if i is not None):
                _settle(registry, change.ctx, funnel.entity, record_id, change)


def _settle(registry: Registry, ctx: service.Context, entity: str, record_id: int,
            cause: Change) -> None:
    """Move a linked record into, or out of, the stage that follows ``cause``."""
    record = ctx.session.get(ctx.models.cls(entity), record_id)
    if record is None:
        return
    funnel = funnel_of(registry, entity, record.unit)
    stage = next((s for s in funnel.stages if s.follows is not None
                  and s.follows.entity == cause.entity.code), None) if funnel else None
    if funnel is None or stage is None or stage.follows is None:
        return
    follows = stage.follows
    linked = ctx.models.cls(follows.entity)
    union = registry.entity(follows.entity)
    holds = ctx.session.scalar(sa.select(linked.id).where(
        getattr(linked, union.field(follows.link).column) == record_id,
        getattr(linked, union.field(follows.field).column) == follows.value).limit(1))
    current = current_stage(funnel, getattr(record, funnel.field))
    if holds is not None and current.outcome != "won":
        target = stage.code
    elif holds is None and current.outcome == "won":
        target = follows.otherwise
    else:
        return
    nested = service.Context(Actor.system_actor(), ctx.session, ctx.models,
                             channel=ctx.channel, meta={"comment": _why(registry, cause)})
    depth = ctx.session.info.get(service.NESTED, 0)
    ctx.session.info[service.NESTED] = depth + 1
    try:
        service.update(nested, entity, record_id, {funnel.field: target})
    finally:
        ctx.session.info[service.NESTED] = depth


def _why(registry: Registry, cause: Change) -> str:
    """``合同 HT2025001: 财务确认 → 已确认 (fin1)``: the write that moved the record."""
    locale = registry.app.default_locale
    title = getattr(cause.record, cause.entity.title_field, None) or f"#{cause.record.id}"
    parts = []
    for follows in {s.follows for f in registry.funnels for s in f.stages
                    if s.follows is not None and s.follows.entity == cause.entity.code}:
        if cause.entity.has_field(follows.field):
            field = cause.entity.field(follows.field)
            value = cause.values.get(follows.field, cause.before.get(follows.field))
            option = field.option(str(value)) if value is not None else None
            parts.append(f"{field.label.get(locale)} → "
                         f"{option.label.get(locale) if option else plain(value)}")
    what = "; ".join(parts) or ("deleted" if cause.deleting else "changed")
    return f"{cause.entity.label.get(locale)} {title}: {what} ({cause.ctx.actor.username})"
