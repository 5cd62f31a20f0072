"""Merging two leads that are the same customer: one survives with the values of both,
the other's follow-ups and tasks, and a history of the merge; the other is kept, marked
无效 (重复线索) with a pointer to the survivor. One transaction; every hook runs.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.access import rights
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.records.errors import Forbidden, RecordInvalid
from leadloom.records.leads.events import record_event
from leadloom.records.leads.followups import lead_row, refresh_lead
from leadloom.records.leads.nested import nested_update
from leadloom.records.leads.pools import rules_of
from leadloom.records.service import Context, commit, get
from leadloom.records.validation import EMPTY

#: never copied from the merged lead: identity, state and what the rules compute
KEPT = frozenset({"lead_no", "status", "invalid_reason", "lost_reason", "merged_into",
                  "duplicate_hint"})


def merge(ctx: Context, keep_id: int, drop_id: int) -> Any:
    """Merge lead ``drop_id`` into lead ``keep_id``; return the survivor.

    :raises Forbidden: the actor's roles may not merge, or not update both leads.
    :raises NotFound: either lead is out of the actor's scope.
    :raises RecordInvalid: the same lead twice, or one merged already.
    """
    keep, drop = get(ctx, "lead", keep_id), get(ctx, "lead", drop_id)
    rules = rules_of(ctx, keep.unit)
    admin = any(r.admin for r in ctx.registry.roles if r.code in ctx.actor.roles)
    if not (admin or ctx.actor.system or set(ctx.actor.roles) & set(
            rules.duplicates.merge_roles)):
        raise Forbidden(Message("your role may not merge leads"))
    if not rights(ctx.registry, ctx.actor, "lead").allows("update"):
        raise Forbidden(Message("your role may not change leads"))
    if keep.id == drop.id:
        raise RecordInvalid({"duplicate": [Message("pick two different leads")]})
    if drop.merged_into or keep.merged_into:
        raise RecordInvalid({"duplicate": [Message("one of the leads was merged already")]})
    try:
        _merge(ctx, keep, drop, rules.screening.invalid_status)
    except Exception:
        ctx.session.rollback()
        raise
    commit(ctx)
    ctx.session.refresh(keep)
    return keep


def _merge(ctx: Context, keep: Any, drop: Any, invalid: str) -> dict[str, Any]:
    number = keep.lead_no or f"#{keep.id}"
    nested_update(ctx, "lead", drop.id, {"status": invalid, "invalid_reason": "duplicate",
                                         "merged_into": number})
    keys = ctx.models.metadata.tables["ll_dedupe_key"]
    ctx.session.execute(sa.delete(keys).where(keys.c.record_id == drop.id))
    taken = _values_to_take(ctx, keep, drop)
    moved = _move_children(ctx, keep.id, drop.id)
    if taken:
        nested_update(ctx, "lead", keep.id, taken)
    detail = {"kept": number, "merged": drop.lead_no, "took": sorted(taken), **moved}
    record_event(ctx, keep.id, "merged", old=drop.lead_no, new=number, detail=detail)
    record_event(ctx, drop.id, "merged_into", old=drop.lead_no, new=number, detail=detail)
    if moved["followups"]:
        refresh_lead(ctx, rules_of(ctx, keep.unit), lead_row(ctx, keep.id))
    return taken


def _values_to_take(ctx: Context, keep: Any, drop: Any) -> dict[str, Any]:
    """The survivor's empty fields that the merged lead has a value for."""
    view = ctx.registry.view("lead", keep.unit)
    taken: dict[str, Any] = {}
    for f in view.fields:
        if f.system or f.code in KEPT or f.column is None or f.type is FieldType.TAGS:
            continue
        if getattr(keep, f.column) in EMPTY and getattr(drop, f.column) not in EMPTY:
            taken[f.code] = getattr(drop, f.column)
    return taken


def _move_children(ctx: Context, keep_id: int, drop_id: int) -> dict[str, int]:
    """Follow-ups and tasks of the merged lead now belong to the survivor."""
    moved = {}
    for entity, name in (("followup", "followups"), ("task", "tasks")):
        table = ctx.models.cls(entity).__table__
        result = ctx.session.execute(sa.update(table).where(table.c.lead_id == drop_id)
                                     .values(lead_id=keep_id))
        moved[name] = int(result.rowcount or 0)
    return moved
