"""The names an export shows instead of ids, read once per batch of rows: people's names,
referenced records' titles and tags, so a batch costs a handful of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access.people import display_name
from leadloom.exports.columns import Column, Kind
from leadloom.model.tables import Models


def names_of(session: Session, ids: set[int]) -> dict[int, str]:
    """Each user's display name (张伟), by id."""
    if not ids:
        return {}
    rows = session.execute(sa.select(User.id, User.first_name, User.last_name, User.username)
                           .where(User.id.in_(ids)))
    return {i: display_name(first, last, login) for i, first, last, login in rows}


def titles_of(session: Session, models: Models, entity: str, ids: set[int]) -> dict[int, str]:
    """Each referenced record's title, by id (its title field, else ``#id``)."""
    if not ids:
        return {}
    cls = models.cls(entity)
    title = models.registry.entity(entity).title_field
    rows = session.execute(sa.select(cls.id, getattr(cls, title)).where(cls.id.in_(ids)))
    return {i: str(t) if t not in (None, "") else f"#{i}" for i, t in rows}


def tags_of(session: Session, models: Models, entity: str, field: str,
            ids: Sequence[int]) -> dict[int, list[str]]:
    """Each record's tag names, by record id."""
    link = models.tag_tables[(entity, field)]
    tag = models.metadata.tables["tag"]
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        for record_id, name in session.execute(
                sa.select(link.c.record_id, tag.c.name).join(tag, tag.c.id == link.c.tag_id)
                .where(link.c.record_id.in_(ids)).order_by(tag.c.id)):
            found[record_id].append(name)
    return found


class BatchNames:
    """The names one batch of rows needs, read at once (``rows``: id first)."""

    def __init__(self, session: Session, models: Models, entity: str,
                 columns: Sequence[Column], rows: Sequence[Any],
                 index: dict[str, int]) -> None:
        users: set[int] = set()
        refs: dict[str, set[int]] = defaultdict(set)
        for c in columns:
            if c.kind is Kind.USER or c.kind is Kind.REFERENCE:
                values = {r[index[c.source]] for r in rows} - {None}  # type: ignore[index]
                if c.kind is Kind.USER:
                    users |= values
                else:
                    refs[c.field.to] |= values  # type: ignore[union-attr,index]
        self.users = names_of(session, users)
        self.titles = {target: titles_of(session, models, target, ids)
                       for target, ids in refs.items()}
        ids = [r[0] for r in rows]
        self.tags = {c.code: tags_of(session, models, entity, c.code, ids)
                     for c in columns if c.kind is Kind.TAGS}
