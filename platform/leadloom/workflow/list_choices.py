"""The choices of a list's filter bar that come from the database: the people a reader
may see (by name, for the owner and user fields) and the referenced records they may read.

Both are scoped like every read: a rep sees only themself, a supervisor their team, a
unit's or all people for wider scopes.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.access.people import display_name
from leadloom.metadata.registry import Field
from leadloom.model.tables import Models

#: the most records a reference filter offers (the newest titles beyond it are not listed)
MOST_RECORDS = 300


def people(session: Session, models: Models, actor: Actor, entity: str
           ) -> list[tuple[int, str]]:
    """(id, name) of the active users whose records the reader's widest scope of
    ``entity`` covers, by name."""
    widest = rights(models.registry, actor, entity).widest_scope
    org = models.org
    query = sa.select(User.id, User.first_name, User.last_name, User.username).where(
        User.active.is_(True))
    if widest in ("team", "unit") and org is not None:
        column = org.c.team if widest == "team" else org.c.unit
        mine = actor.team if widest == "team" else actor.unit
        query = query.where(User.id.in_(sa.select(org.c.user_id).where(column == mine)))
    elif widest != "all":
        query = query.where(User.id == actor.user_id)
    rows = session.execute(query)
    return sorted(((r.id, display_name(r.first_name, r.last_name, r.username))
                   for r in rows), key=lambda pair: pair[1])


def referenced(session: Session, models: Models, actor: Actor, field: Field
               ) -> list[tuple[int, str]]:
    """(id, title) of the records ``field`` may point to that the reader may list, by
    title; none if the reader may not list them."""
    target = models.registry.entity(field.to or "")
    if not rights(models.registry, actor, target.code).allows("list"):
        return []
    cls = models.cls(target.code)
    title_field = target.field(target.title_field)
    title = getattr(cls, title_field.column or title_field.code)
    rows = session.execute(sa.select(cls.id, title).where(
        scope_clause(models, actor, target.code)).order_by(title).limit(MOST_RECORDS))
    return [(r[0], str(r[1] or f"#{r[0]}")) for r in rows]


def tags(session: Session, models: Models, actor: Actor, field: Field
         ) -> list[tuple[int, str]]:
    """(id, name) of the tags a ``tags`` field may hold (its group's), by name."""
    if "tag" not in models.classes or not rights(models.registry, actor, "tag").allows("list"):
        return []
    tag = models.cls("tag")
    query = sa.select(tag.id, tag.name).where(scope_clause(models, actor, "tag"))
    if field.group:
        query = query.where(tag.group == field.group)
    return [(r.id, r.name) for r in session.execute(query.order_by(tag.name))]
