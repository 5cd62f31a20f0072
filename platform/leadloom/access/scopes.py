"""The one read scope: every query a user triggers is filtered here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from leadloom.access.actor import Actor
from leadloom.access.grants import rights
from leadloom.model.tables import Models

Q = TypeVar("Q")


def scope_clause(models: Models, actor: Actor, entity: str) -> sa.ColumnElement[bool]:
    """The rows of ``entity`` that ``actor`` may see, as a WHERE clause.

    own = the actor owns the row; team = its owner is in the actor's team; unit = the row
    belongs to the actor's business unit; all = every row. Several roles widen the set.
    """
    granted = rights(models.registry, actor, entity)
    cls = models.cls(entity)
    if granted.widest_scope == "all":
        return sa.true()
    clauses = [_clause(models, cls, actor, scope) for scope in sorted(granted.scopes)]
    return sa.or_(*clauses) if clauses else sa.false()


def _clause(models: Models, cls: Any, actor: Actor, scope: str) -> sa.ColumnElement[bool]:
    if scope == "own":
        return cls.owner_id == actor.user_id if actor.user_id is not None else sa.false()
    if scope == "team":
        if not actor.team:
            return sa.false()
        org = models.org
        return cls.owner_id.in_(sa.select(org.c.user_id).where(org.c.team == actor.team))
    if scope == "unit":
        return cls.unit == actor.unit if actor.unit else sa.false()
    return sa.true()


def in_scope(models: Models, actor: Actor, entity: str, owner_id: int | None,
             unit: str | None, team_of: Callable[[int], str | None]) -> bool:
    """Whether a row with this owner and unit is in ``scope_clause`` (for rows not
    written yet, e.g. the earlier rows of a batch); ``team_of``: a user's team."""
    granted = rights(models.registry, actor, entity)
    if granted.widest_scope == "all":
        return True
    for scope_name in granted.scopes:
        if scope_name == "own" and actor.user_id is not None and owner_id == actor.user_id:
            return True
        if scope_name == "team" and actor.team and owner_id is not None and (
                team_of(owner_id) == actor.team):
            return True
        if scope_name == "unit" and actor.unit and unit == actor.unit:
            return True
        if scope_name not in ("own", "team", "unit"):
            return True
    return False


def scope(query: Q, models: Models, actor: Actor, entity: str) -> Q:
    """``query`` (a ``Select`` or a legacy ``Query``) limited to what ``actor`` may see."""
    return query.filter(scope_clause(models, actor, entity))  # type: ignore[attr-defined]
