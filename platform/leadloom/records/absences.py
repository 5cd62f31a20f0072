"""Time away (不在岗): the ``absence`` records a person, or their supervisor, enters for
the days they cannot take leads. Assignment and round robin skip someone from the first
day to the last; nothing has to end it, so they take leads again the day after.

The records are written through the write path like any other (permissions by row scope,
audit); this module adds the one check a form cannot express (the end after the start)
and answers "who is away on this day".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from leadloom.access import in_scope
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Registry
from leadloom.records.hooks import Change, RecordHook
from leadloom.records.org import membership

if TYPE_CHECKING:
    from leadloom.records.service import Context

ENTITY = "absence"


class AbsenceHook(RecordHook):
    """An absence is for someone in the writer's scope (themselves, their team …), and
    ends on or after the day it starts."""

    def before_save(self, change: Change) -> None:
        if change.entity.code != ENTITY or change.deleting:
            return
        merged = {**change.before, **change.values}
        ctx = change.ctx
        person = merged.get("owner") or ctx.actor.user_id
        place = membership(ctx.session, ctx.models, person) if person else None
        if not ctx.actor.system and not in_scope(
                ctx.models, ctx.actor, ENTITY, person, place and place.unit,
                lambda user: membership(ctx.session, ctx.models, user).team):
            change.reject("owner", Message("you may set time away for yourself and the "
                                           "people you manage only"))
        start, end = merged.get("starts_on"), merged.get("ends_on")
        if start and end and end < start:
            change.reject("ends_on", Message("the last day away must be on or after the "
                                             "first (%(start)s)", start=start.isoformat()))


def absence_hook(registry: Registry) -> AbsenceHook | None:
    return AbsenceHook() if has_absences(registry) else None


def has_absences(registry: Registry) -> bool:
    return any(e.code == ENTITY for e in registry.entities)


def away_on(ctx: Context, user_ids: Iterable[int], day: dt.date) -> set[int]:
    """Which of ``user_ids`` are away on ``day`` (a config without absences: nobody)."""
    wanted = set(user_ids)
    if not wanted or not has_absences(ctx.registry):
        return set()
    table = ctx.models.cls(ENTITY).__table__
    return set(ctx.session.scalars(sa.select(table.c.owner_id).where(
        table.c.owner_id.in_(wanted), table.c.starts_on <= day, table.c.ends_on >= day)))
