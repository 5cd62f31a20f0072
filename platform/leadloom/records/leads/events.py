"""A lead's history (``ll_lead_event``): grade changes, assignments, claims, returns,
reclaims, merges. Written in the transaction of the change it records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.model.leads import LEAD_EVENT_TABLE
from leadloom.model.tables import Models
from leadloom.records.appends import append_rows
from leadloom.records.leads import clock

if TYPE_CHECKING:
    from leadloom.records.service import Context


def record_event(ctx: Context, lead_id: int, kind: str, *, old: Any = None, new: Any = None,
                 user_id: int | None = None, reason: str | None = None,
                 detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> None:
    """Add one event to lead ``lead_id``'s history, by the context's actor."""
    record_events(ctx, [event_row(ctx, lead_id, kind, old=old, new=new, user_id=user_id,
                                  reason=reason, detail=detail, at=at)])


def event_row(ctx: Context, lead_id: int, kind: str, *, old: Any = None, new: Any = None,
              user_id: int | None = None, reason: str | None = None,
              detail: dict[str, Any] | None = None, at: dt.datetime | None = None
              ) -> dict[str, Any]:
    """One history row as ``record_event`` writes it (for a batch: ``record_events``)."""
    return {"lead_id": lead_id, "kind": kind, "at": at or clock.now(),
            "actor_id": ctx.actor.user_id, "user_id": user_id,
            "old": None if old is None else str(old)[:64],
            "new": None if new is None else str(new)[:64], "reason": reason, "detail": detail}


def record_events(ctx: Context, rows: list[dict[str, Any]]) -> None:
    """Add history rows (``event_row``), one COPY or executemany for all."""
    append_rows(ctx.session, ctx.models.metadata.tables[LEAD_EVENT_TABLE], rows)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    lead_id: int
    kind: str
    at: dt.datetime
    actor_id: int | None
    user_id: int | None
    old: str | None
    new: str | None
    reason: str | None
    detail: dict[str, Any] | None


def events_of(session: Session, models: Models, lead_id: int,
              kinds: tuple[str, ...] = ()) -> list[Event]:
    """Lead ``lead_id``'s history, oldest first (callers check the actor may read it)."""
    table = models.metadata.tables[LEAD_EVENT_TABLE]
    query = sa.select(table).where(table.c.lead_id == lead_id)
    if kinds:
        query = query.where(table.c.kind.in_(kinds))
    return [Event(r.id, r.lead_id, r.kind, r.at, r.actor_id, r.user_id, r.old, r.new,
                  r.reason, r.detail) for r in session.execute(query.order_by(table.c.id))]
