"""A user's saved list views: a name for the filters and sort of a list's address.

Each user reads and writes only their own rows; the names of one user's views of one
entity are unique (a clash is refused with a message, a race lost at the database too).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from leadloom.metadata.messages import Message
from leadloom.model.saved_views import NAME_LENGTH, QUERY_LENGTH, SAVED_VIEW_TABLE
from leadloom.model.tables import utcnow
from leadloom.records.errors import Conflict, NotFound, RecordInvalid
from leadloom.records.service import Context


@dataclass(frozen=True, slots=True)
class SavedView:
    id: int
    name: str
    query: str


def _table(ctx: Context) -> sa.Table:
    return ctx.models.metadata.tables[SAVED_VIEW_TABLE]


def saved_views(ctx: Context, entity: str) -> list[SavedView]:
    """The actor's saved views of ``entity``'s list, by name."""
    t = _table(ctx)
    rows = ctx.session.execute(sa.select(t.c.id, t.c.name, t.c.query).where(
        t.c.user_id == ctx.actor.user_id, t.c.entity == entity).order_by(t.c.name))
    return [SavedView(r.id, r.name, r.query) for r in rows]


def save_view(ctx: Context, entity: str, name: str, query: str) -> SavedView:
    """Save ``query`` (a list address's query text) as the actor's view ``name``.

    :raises RecordInvalid: the name is empty, too long, or one of the actor's views has it.
    :raises Conflict: a view of that name was saved meanwhile.
    """
    name = " ".join(name.split())
    problem = _name_problem(ctx, entity, name)
    if problem is not None:
        raise RecordInvalid({"name": [problem]})
    t = _table(ctx)
    try:
        new_id = ctx.session.scalar(sa.insert(t).returning(t.c.id).values(
            user_id=ctx.actor.user_id, entity=entity, name=name,
            query=query[:QUERY_LENGTH], created_at=utcnow()))
        ctx.session.commit()
    except sa.exc.IntegrityError:
        ctx.session.rollback()
        raise Conflict(_taken(name)) from None
    return SavedView(int(new_id), name, query[:QUERY_LENGTH])


def delete_view(ctx: Context, view_id: int) -> None:
    """Delete one of the actor's saved views.

    :raises NotFound: no such view of the actor's (another user's is never touched).
    """
    t = _table(ctx)
    gone = ctx.session.execute(sa.delete(t).where(
        t.c.id == view_id, t.c.user_id == ctx.actor.user_id)).rowcount
    if not gone:
        ctx.session.rollback()
        raise NotFound(Message("no saved view #%(id)s of yours", id=view_id))
    ctx.session.commit()


def _name_problem(ctx: Context, entity: str, name: str) -> Message | None:
    if not name:
        return Message("give the view a name")
    if len(name) > NAME_LENGTH:
        return Message("a view's name has at most %(most)s characters", most=NAME_LENGTH)
    t = _table(ctx)
    clash = ctx.session.scalar(sa.select(t.c.id).where(
        t.c.user_id == ctx.actor.user_id, t.c.entity == entity, t.c.name == name))
    return _taken(name) if clash is not None else None


def _taken(name: str) -> Message:
    return Message("you have a view named \"%(name)s\" already", name=name)
