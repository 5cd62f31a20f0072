"""The in-app inbox: ``notify`` writes a message in the caller's transaction; the inbox
functions read a user's messages and mark them read.

Messages that must go out once (a deadline warning per lead and deadline, a daily digest)
carry a ``key``: a second ``notify`` with the same key does nothing, so jobs can run twice.

A title given as a ``Message`` is stored with its msgid and parameters (``body``) and read
in each reader's language. Several messages of one kind to one person in one call (a job's
run, a batch write) become one notice, with a line per message (``parent_id``): 40 leads
about to breach are one "40 条线索首次触达即将超时", not 40. Made in the quiet hours of
``leads.yaml``, a message not exempt is held (``held_until``) and shows from the end of
the quiet period on: no process needs to run at that time for it to arrive.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadloom.metadata.catalog import in_language, stored
from leadloom.metadata.messages import Message as Text
from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.model.tables import Models
from leadloom.records.leads import clock

if TYPE_CHECKING:
    from leadloom.records.service import Context

TITLE_LENGTH = 255
#: keys looked up per statement when dropping messages already sent
KEY_CHUNK = 500
#: the title of a notice that gathers several messages of a kind
BATCH_TITLES = {
    "assignment": "%(count)s new leads are yours",
    "grade": "%(count)s leads changed grade",
    "sla_warning": "%(count)s leads: first touch due soon",
    "sla_breach": "%(count)s leads: first touch overdue",
    "reclaim_warning": "%(count)s leads go back to the pool soon",
    "reclaimed": "%(count)s leads went back to the pool",
    "task_due": "%(count)s tasks due soon",
    "duplicate": "%(count)s possible duplicates",
}
OTHER_BATCH = "%(count)s messages"


def _table(models: Models) -> sa.Table:
    return models.metadata.tables[NOTIFICATION_TABLE]


@dataclass(frozen=True, slots=True)
class Note:
    """One message to send (see ``notify`` for the fields); a ``title`` that is a
    ``Message`` reads in each reader's language."""

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
    :param title: the text; a ``Message`` is shown in the reader's language.
    :param link: where the message leads, e.g. ``/lead/show/12``.
    :param key: send once: a later message with the same key is dropped.
    """
    notify_many(ctx, [Note(user_id, kind, title, link, key, at)])


def notify_many(ctx: Context, notes: Iterable[Note]) -> None:
    """Send ``notes``: each person gets one notice per kind (a single message as it is,
    several as one notice listing them); messages whose key went out before are dropped.
    A job's thousands take a few statements per person and kind."""
    table = _table(ctx.models)
    now = clock.now()
    groups: dict[tuple[int, str, dt.datetime | None], list[dict[str, Any]]] = {}
    for note in _unsent(ctx.session, table, list(notes)):
        row = _row(ctx, note, now)
        groups.setdefault((note.user_id, row["kind"], row["held_until"]), []).append(row)
    singles = [rows[0] for rows in groups.values() if len(rows) == 1]
    batches = [rows for rows in groups.values() if len(rows) > 1]
    if not batches:
        _insert_rows(ctx.session, table, singles)
        return
    run = uuid.uuid4().hex  # the gathering notices' keys: their ids in one SELECT
    parents = [{**_row(ctx, Note(rows[0]["user_id"], rows[0]["kind"], Text(
        BATCH_TITLES.get(rows[0]["kind"], OTHER_BATCH), count=len(rows)),
        key=f"gather:{run}:{index}", at=now), now), "held_until": rows[0]["held_until"]}
        for index, rows in enumerate(batches)]
    _insert_gathered(ctx.session, table, parents, batches, singles)


def notify_gathered(ctx: Context, gathered: Iterable[tuple[Note, list[tuple[Text, str]]]]
                    ) -> None:
    """Send each (notice, lines) of ``gathered``: the notice (its ``key`` required) with a
    line per (message, link), held as long as the notice. A notice whose key went out
    before is dropped with its lines, so a rule's daily run (a key per person and day)
    sends nothing twice, in a few statements whatever the number of lines."""
    table = _table(ctx.models)
    now = clock.now()
    wanted = [(note, items) for note, items in gathered if items]
    fresh = {id(note) for note in _unsent(ctx.session, table, [n for n, _ in wanted])}
    parents, batches = [], []
    for note, items in wanted:
        if id(note) not in fresh:
            continue
        parent = _row(ctx, note, now)
        parents.append(parent)
        batches.append([{**_row(ctx, Note(note.user_id, note.kind, text, link, at=note.at),
                                now), "held_until": parent["held_until"]}
                        for text, link in items])
    if parents:
        _insert_gathered(ctx.session, table, parents, batches)


def _insert_gathered(session: Session, table: sa.Table, parents: list[dict[str, Any]],
                     batches: list[list[dict[str, Any]]],
                     singles: list[dict[str, Any]] | None = None) -> None:
    """Insert ``parents`` (each with a fresh key), then each one's ``batches`` rows as its
    lines, with ``singles``: the parents' ids are read back by key."""
    session.execute(sa.insert(table), parents)
    keys = [parent["key"] for parent in parents]
    found: dict[str, int] = {}
    for start in range(0, len(keys), KEY_CHUNK):
        found.update(session.execute(sa.select(table.c.key, table.c.id).where(
            table.c.key.in_(keys[start:start + KEY_CHUNK]))).all())
    _insert_rows(session, table, (singles or []) + [
        {**row, "parent_id": found[parent["key"]]}
        for parent, rows in zip(parents, batches, strict=True) for row in rows])


def notify_leads(ctx: Context, user_ids: Iterable[int], kind: str,
                 lines: Iterable[tuple[Text, str]], *, key: str | None = None) -> None:
    """Tell each of ``user_ids`` of several leads under one rule (``kind``) in one notice:
    ``lines`` are (message, link) per lead, e.g. from ``records.leads.notices``. With
    ``key``, each person's line for a link goes out once (``key:user:link``)."""
    lines = list(lines)
    notify_many(ctx, [Note(user, kind, text, link, f"{key}:{user}:{link}" if key else None)
                      for user in user_ids for text, link in lines])


def _row(ctx: Context, note: Note, now: dt.datetime) -> dict[str, Any]:
    at = note.at or now
    body = stored(note.title) if isinstance(note.title, Text) else None
    title = (in_language(note.title, ctx.registry.app.default_locale)
             if isinstance(note.title, Text) else note.title)
    return {"user_id": note.user_id, "kind": note.kind[:32], "title": _fit(title),
            "link": note.link, "key": note.key, "created_at": at, "body": body,
            "parent_id": None, "held_until": _held(ctx, note, at)}


def _held(ctx: Context, note: Note, at: dt.datetime) -> dt.datetime | None:
    """Until when quiet hours hold ``note`` (``None``: it goes out at once)."""
    rules = ctx.registry.lead_rules
    if rules is None or rules.quiet_hours is None:
        return None
    grade = note.title.params.get("grade_code") if isinstance(note.title, Text) else None
    if rules.quiet_hours.exempts(note.kind, grade if isinstance(grade, str) else None):
        return None
    calendar = rules.base.calendar
    release = rules.quiet_hours.release(calendar.local(at).replace(tzinfo=None))
    return calendar.to_utc(release) if release is not None else None


def _unsent(session: Session, table: sa.Table, notes: list[Note]) -> list[Note]:
    """``notes`` without those whose key went out already (or comes twice here)."""
    keys = list(dict.fromkeys(n.key for n in notes if n.key))
    sent: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        sent.update(session.scalars(sa.select(table.c.key).where(
            table.c.key.in_(keys[start:start + KEY_CHUNK]))))
    fresh = []
    for note in notes:
        if note.key is None or note.key not in sent:
            fresh.append(note)
            if note.key is not None:
                sent.add(note.key)
    return fresh


def _insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One executemany per run of keyed (deduplicated) or unkeyed rows."""
    for keyed, run in groupby(rows, key=lambda row: row["key"] is not None):
        session.execute(_insert(session, table, keyed), list(run))


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
    #: the title as msgid and parameters (``metadata.catalog.loaded``), if it has them
    body: dict[str, Any] | None = None
    held_until: dt.datetime | None = None

    @property
    def shown_at(self) -> dt.datetime:
        """When it reached the inbox: its making, or the end of the quiet hours."""
        return self.held_until or self.created_at

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "link": self.link,
                "created_at": self.shown_at.isoformat(),
                "read": self.read_at is not None}


def _message(row: Any) -> Message:
    return Message(row.id, row.kind, row.title, row.link, row.created_at, row.read_at,
                   row.body, row.held_until)


def _delivered(table: sa.Table, now: dt.datetime | None) -> sa.ColumnElement[bool]:
    """Notices in the inbox: not lines of another, not held past ``now``."""
    return sa.and_(table.c.parent_id.is_(None), sa.or_(
        table.c.held_until.is_(None), table.c.held_until <= (now or clock.now())))


def inbox(session: Session, models: Models, user_id: int, *, unread_only: bool = False,
          limit: int = 50, now: dt.datetime | None = None) -> list[Message]:
    """``user_id``'s notices in the inbox at ``now`` (default: the clock's), newest first."""
    table = _table(models)
    query = sa.select(table).where(table.c.user_id == user_id, _delivered(table, now))
    if unread_only:
        query = query.where(table.c.read_at.is_(None))
    rows = session.execute(query.order_by(table.c.id.desc()).limit(limit))
    return [_message(r) for r in rows]


def lines(session: Session, models: Models, user_id: int,
          parent_ids: list[int]) -> dict[int, list[Message]]:
    """The lines of ``user_id``'s batched notices ``parent_ids``, in the order sent."""
    table = _table(models)
    found: dict[int, list[Message]] = {}
    if not parent_ids:
        return found
    rows = session.execute(sa.select(table).where(
        table.c.user_id == user_id, table.c.parent_id.in_(parent_ids)).order_by(table.c.id))
    for row in rows:
        found.setdefault(row.parent_id, []).append(_message(row))
    return found


def one(session: Session, models: Models, user_id: int, pk: int) -> Message | None:
    """``user_id``'s message ``pk`` (a notice or one of its lines), if it is theirs."""
    table = _table(models)
    row = session.execute(sa.select(table).where(
        table.c.user_id == user_id, table.c.id == pk)).first()
    return _message(row) if row is not None else None


def unread_count(session: Session, models: Models, user_id: int,
                 now: dt.datetime | None = None) -> int:
    table = _table(models)
    return session.scalar(sa.select(sa.func.count()).select_from(table).where(
        table.c.user_id == user_id, table.c.read_at.is_(None), _delivered(table, now))) or 0


def mark_read(session: Session, models: Models, user_id: int,
              ids: list[int] | None = None) -> int:
    """Mark ``ids`` (default: all in the inbox) of ``user_id``'s unread messages read, with
    the lines of those that batch several; commit; return how many rows changed. Other
    users' messages are never touched."""
    table = _table(models)
    now = clock.now()
    statement = sa.update(table).where(table.c.user_id == user_id,
                                       table.c.read_at.is_(None)).values(read_at=now)
    if ids is None:  # a notice's lines are held exactly as long as it is
        statement = statement.where(sa.or_(table.c.held_until.is_(None),
                                           table.c.held_until <= now))
    else:
        statement = statement.where(sa.or_(table.c.id.in_(ids), table.c.parent_id.in_(ids)))
    changed = session.execute(statement).rowcount
    session.commit()
    return int(changed or 0)
