"""What a stage move leaves behind: its stage history entry, and the moves of records
whose stage follows another record's state (a confirmed contract moves its lead into the
won stage; returning it moves the lead back). Part of the workflow guard's ``after_save``;
the linked moves are nested writes through the write path, in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.metadata.funnels import Follows, Funnel, Stage
from leadloom.metadata.registry import Registry
from leadloom.model.tables import utcnow
from leadloom.model.workflow import workflow_classes
from leadloom.records import service
from leadloom.records.appends import append_rows
from leadloom.records.batch_update import CHUNK, bulk_update
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


def follow(registry: Registry, changes: Sequence[Change]) -> None:
    """Move the records whose stage follows these records' state (a lead follows its
    contracts), set-based: a batch of contracts settles its leads in a few statements."""
    linked: dict[str, dict[int, Change]] = {}
    for funnel in registry.funnels:
        causes = linked.setdefault(funnel.entity, {})
        for follows in (s.follows for s in funnel.stages if s.follows is not None):
            for change in changes:
                for record_id in _linked_ids(follows, change):
                    causes.setdefault(record_id, change)
    for entity, causes in linked.items():
        if causes:
            _settle(registry, changes[0].ctx, entity, causes)


def _linked_ids(follows: Follows, change: Change) -> list[int]:
    """The ids of the records ``change`` may move through the ``follows`` rule."""
    if follows.entity != change.entity.code or not (
            change.creating or change.deleting or change.changed(follows.field)
            or change.changed(follows.link)):
        return []
    linked = {change.values.get(follows.link, change.before.get(follows.link)),
              change.before.get(follows.link)}
    return sorted(int(i) for i in linked if i is not None)


def _settle(registry: Registry, ctx: service.Context, entity: str,
            causes: dict[int, Change]) -> None:
    """Move the linked records into, or out of, the stage that follows their cause (the
    first change linking each): the records read once, those already where the rule puts
    them left alone, the others moved in one nested ``bulk_update`` (rules, guards, audit
    and stage history as any update)."""
    moves: dict[int, dict[str, Any]] = {}
    why: dict[int, dict[str, Any]] = {}
    for follows, records in _by_rule(_ruled(registry, ctx, entity, causes)).items():
        holding = _holding(registry, ctx, follows, sorted(records))
        for record_id, (funnel, current) in records.items():
            target = _target(funnel, follows, current, record_id in holding)
            if target is not None:
                moves[record_id] = {funnel.field: target}
                why[record_id] = {"comment": _why(registry, causes[record_id])}
    if moves:
        _move(ctx, entity, moves, why)


def _ruled(registry: Registry, ctx: service.Context, entity: str, causes: dict[int, Change]
           ) -> dict[int, tuple[Funnel, Follows, Stage]]:
    """Each linked record's funnel, the rule its stage follows its cause by, and its
    current stage (one query a chunk of ids); records without such a rule are left out."""
    table = ctx.models.cls(entity).__table__
    union = registry.entity(entity)
    columns = {f.field: table.c[union.field(f.field).column]
               for f in registry.funnels if f.entity == entity}
    found: dict[int, tuple[Funnel, Follows, Stage]] = {}
    ids = sorted(causes)
    for start in range(0, len(ids), CHUNK):
        query = sa.select(table.c.id, table.c.unit, *set(columns.values())).where(
            table.c.id.in_(ids[start:start + CHUNK]))
        for row in ctx.session.execute(query).mappings():
            funnel = funnel_of(registry, entity, row["unit"])
            cause = causes[row["id"]].entity.code
            follows = next((s.follows for s in funnel.stages if s.follows is not None
                            and s.follows.entity == cause), None) if funnel else None
            if funnel is not None and follows is not None:
                current = current_stage(funnel, row[columns[funnel.field].name])
                found[row["id"]] = (funnel, follows, current)
    return found


def _by_rule(ruled: dict[int, tuple[Funnel, Follows, Stage]]
             ) -> dict[Follows, dict[int, tuple[Funnel, Stage]]]:
    """The records by the rule that moves them (a holding query per rule)."""
    grouped: dict[Follows, dict[int, tuple[Funnel, Stage]]] = {}
    for record_id, (funnel, follows, current) in ruled.items():
        grouped.setdefault(follows, {})[record_id] = (funnel, current)
    return grouped


def _target(funnel: Funnel, follows: Follows, current: Stage, holds: bool) -> str | None:
    """Where the rule puts the record: into its stage while a linked record holds the
    value, back to ``otherwise`` when none does any more; None: it is there already."""
    if holds and current.outcome != "won":
        return next(s.code for s in funnel.stages if s.follows == follows)
    if not holds and current.outcome == "won":
        return follows.otherwise
    return None


def _holding(registry: Registry, ctx: service.Context, follows: Follows,
             ids: list[int]) -> set[int]:
    """Which of ``ids`` a linked record holds the rule's value for (one query a chunk)."""
    linked = ctx.models.cls(follows.entity).__table__
    union = registry.entity(follows.entity)
    link = linked.c[union.field(follows.link).column]
    held = linked.c[union.field(follows.field).column] == follows.value
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(ctx.session.scalars(sa.select(link).distinct().where(
            link.in_(ids[start:start + CHUNK]), held)))
    return found


def _move(ctx: service.Context, entity: str, moves: dict[int, dict[str, Any]],
          why: dict[int, dict[str, Any]]) -> None:
    """The moves as the system's nested batch update; a refused move fails the write that
    caused it, as a refused nested update does."""
    nested = service.Context(Actor.system_actor(), ctx.session, ctx.models, channel=ctx.channel)
    depth = ctx.session.info.get(service.NESTED, 0)
    ctx.session.info[service.NESTED] = depth + 1
    try:
        result = bulk_update(nested, entity, moves, meta=why)
    finally:
        ctx.session.info[service.NESTED] = depth
    for outcome in result.failed.values():
        raise outcome.error or service.lost_race()


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
