"""Named column mappings a user saves to reuse with the next file of the same layout.

Each user keeps their own (saving a name again replaces it); colleagues of the same
business unit see them too, read-only, because a team imports the same expo or partner
layout again and again — headers hold no customer data, so sharing them exposes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from leadloom.imports.errors import ImportRequestError
from leadloom.imports.fields import entity_of
from leadloom.metadata.messages import Message
from leadloom.model import utcnow
from leadloom.model.imports import IMPORT_MAPPING_TABLE, NAME_LENGTH
from leadloom.records import Context


@dataclass(frozen=True, slots=True)
class SavedMapping:
    """A saved mapping; ``mine``: the actor's own (others' are read-only)."""

    id: int
    name: str
    mapping: dict[str, str | None]
    mine: bool


def _table(ctx: Context) -> sa.Table:
    return ctx.models.metadata.tables[IMPORT_MAPPING_TABLE]


def list_mappings(ctx: Context, entity_code: str) -> list[SavedMapping]:
    """The actor's mappings for ``entity_code``, then their unit colleagues', by name."""
    table = _table(ctx)
    mine = table.c.user_id == ctx.actor.user_id
    shared = table.c.unit == ctx.actor.unit if ctx.actor.unit else sa.false()
    rows = ctx.session.execute(sa.select(table).where(
        table.c.entity == entity_code, sa.or_(mine, shared)).order_by(table.c.name,
                                                                       table.c.id))
    found = [SavedMapping(r.id, r.name, dict(r.mapping), r.user_id == ctx.actor.user_id)
             for r in rows]
    return sorted(found, key=lambda m: (not m.mine, m.name))


def find_mapping(ctx: Context, entity_code: str, name: str) -> SavedMapping | None:
    """The mapping called ``name``: the actor's own first, then a colleague's."""
    return next((m for m in list_mappings(ctx, entity_code) if m.name == name), None)


def save_mapping(ctx: Context, entity_code: str, name: str,
                 mapping: Mapping[str, str | None]) -> SavedMapping:
    """Save (or replace) the actor's mapping ``name`` for ``entity_code``.

    :raises ImportRequestError: no name, a name too long, or an unknown entity.
    """
    entity_of(ctx.registry, entity_code)
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise ImportRequestError(Message("a mapping needs a name of at most %(n)s characters",
                                         n=NAME_LENGTH))
    if ctx.actor.user_id is None:
        raise ImportRequestError(Message("only a user can save a mapping"))
    table = _table(ctx)
    now = utcnow()
    clean = {str(k): (str(v) if v else None) for k, v in mapping.items()}
    existing = ctx.session.scalar(sa.select(table.c.id).where(
        table.c.user_id == ctx.actor.user_id, table.c.entity == entity_code,
        table.c.name == name))
    if existing is None:
        existing = ctx.session.execute(sa.insert(table).values(
            user_id=ctx.actor.user_id, unit=ctx.actor.unit, entity=entity_code, name=name,
            mapping=clean, created_at=now, updated_at=now)).inserted_primary_key[0]
    else:
        ctx.session.execute(sa.update(table).where(table.c.id == existing).values(
            mapping=clean, unit=ctx.actor.unit, updated_at=now))
    ctx.session.commit()
    return SavedMapping(int(existing), name, clean, True)
