"""The in-app inbox: ``notify`` writes a message in the caller's transaction; the inbox
functions read a user's messages and mark them read.

Messages that must go out once (a deadline warning per lead and deadline, a daily digest)
carry a ``key``: a second ``notify`` with the same key does nothing, so jobs can run twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.model.tables import Models, utcnow

if TYPE_CHECKING:
    from leadloom.records.service import Context

TITLE_LENGTH = 255


def _table(models: Models) -> sa.Table:
    return models.metadata.tables[NOTIFICATION_TABLE]


@dataclass(frozen=True, slots=True)
class Note:
    """One message to send (see ``notify`` for the fields)."""

    user_id: int
    kind: str
    title: str
    link: str | None = None
    key: str | None = None
    at: dt.datetime | None = None


def notify(ctx: Context, user_id: int, kind: str, title: str, link: str | None = None, *,
           key: str | None = None, at: dt.datetime | None = None) -> None:
    """Put a message in ``user_id``'s inbox, in the caller's transaction.

    :param kind: what it is about: ``assignment``, ``sla_warning``, ``sla_breach``,
        ``reclaim_warning``, ``reclaimed``, ``duplicate``, ``stale``, ``task_due``,
        ``digest``, ``grade`` …
    :param link: where the message leads, e.g. ``/lead/show/12``.
    :param key: send once: a later message with the same key is dropped.
    """
    notify_many(ctx, [Note(user_id, kind, title, link, key, at)])


def notify_many(ctx: Context, notes: Iterable[Note]) -> None:
    """``notify`` for many messages, in their order, with an executemany per run of keyed
    (deduplicated) or unkeyed messages: a periodic job's thousands in a few statements."""
    table = _table(ctx.models)
    now = utcnow()
    rows = [{"user_id": n.user_id, "kind": n.kind[:32], "title": _fit(n.title),
             "link": n.link, "key": n.key, "created_at": n.at or now} for n in notes]
    for keyed, run in groupby(rows, key=lambda row: row["key"] is not None):
        ctx.session.execute(_insert(ctx.session, table, keyed), list(run))


@dataclass(slots=True)
class Outbox:
    """Messages a batch collects (``notify``'s arguments, no key) and sends together."""

    notes: list[Note] = field(default_factory=list)

    def add(self, user_id: int, kind: str, title: str, link: str | None = None) -> None:
        self.notes.append(Note(user_id, kind, title, link))

    def send(self, ctx: Context) -> None:
        notify_many(ctx, self.notes)
        self.notes = []


def _fit(title: str) -> str:
    return title if len(title) <= TITLE_LENGTH else title[:TITLE_LENGTH - 1] + "…"


def _insert(session: Session, table: sa.Table, keyed: bool) -> Any:
    if not keyed:
        return sa.insert(table)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    return sa.insert(table).prefix_with("IGNORE")  # MySQL/MariaDB


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    kind: str
    title: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "link": self.link,
                "created_at": self.created_at.isoformat(),
                "read": self.read_at is not None}


def inbox(session: Session, models: Models, user_id: int, *, unread_only: bool = False,
          limit: int = 50) -> list[Message]:
    """``user_id``'s messages, newest first."""
    table = _table(models)
    query = sa.select(table).where(table.c.user_id == user_id)
    if unread_only:
        query = query.where(table.c.read_at.is_(None))
    rows = session.execute(query.order_by(table.c.id.desc()).limit(limit))
    return [Message(r.id, r.kind, r.title, r.link, r.created_at, r.read_at) for r in rows]


def unread_count(session: Session, models: Models, user_id: int) -> int:
    table = _table(models)
    return session.scalar(sa.select(sa.func.count()).select_from(table).where(
        table.c.user_id == user_id, table.c.read_at.is_(None))) or 0


def mark_read(session: Session, models: Models, user_id: int,
              ids: list[int] | None = None) -> int:
    """Mark ``ids`` (default: all) of ``user_id``'s unread messages read; commit; return
    how many changed. Other users' messages are never touched."""
    table = _table(models)
    statement = sa.update(table).where(table.c.user_id == user_id,
                                       table.c.read_at.is_(None)).values(read_at=utcnow())
    if ids is not None:
        statement = statement.where(table.c.id.in_(ids))
    changed = session.execute(statement).rowcount
    session.commit()
    return int(changed or 0)
