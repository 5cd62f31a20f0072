"""A user's effective rights on one entity: the union of what each of their roles grants."""

from __future__ import annotations

from dataclasses import dataclass, replace

from leadloom.access.actor import Actor
from leadloom.metadata.registry import OPERATIONS, Registry

SCOPE_WIDTH = {"own": 0, "team": 1, "unit": 2, "all": 3}


@dataclass(frozen=True, slots=True)
class Rights:
    """Operations, per-role row scopes, and the fields the user may not see or change."""

    operations: frozenset[str]
    scopes: frozenset[str]
    hidden: frozenset[str]
    readonly: frozenset[str]
    #: hidden fields shown and writable on a record the user created that has no owner yet
    shown_to_creator: frozenset[str] = frozenset()

    def allows(self, operation: str) -> bool:
        return operation in self.operations

    @property
    def widest_scope(self) -> str | None:
        return max(self.scopes, key=SCOPE_WIDTH.__getitem__) if self.scopes else None


NO_RIGHTS = Rights(frozenset(), frozenset(), frozenset(), frozenset())
ALL_RIGHTS = Rights(frozenset(OPERATIONS), frozenset({"all"}), frozenset(), frozenset())


def rights(registry: Registry, actor: Actor, entity: str) -> Rights:
    """What ``actor`` may do with ``entity``.

    A field is hidden (or read-only) only if every role that grants the entity hides it:
    a second role can widen what a user sees, never narrow it. Fields declared
    ``system: true`` are read-only for everyone but the system actor.
    """
    if actor.system:
        return ALL_RIGHTS
    grants = [g for r in registry.roles if r.code in actor.roles
              for g in [r.grant(entity)] if g is not None]
    if not grants:
        return NO_RIGHTS
    readers = [g for g in grants if {"list", "read"} & g.operations]
    hidden = frozenset.intersection(*(g.hidden for g in grants))
    return Rights(
        operations=frozenset().union(*(g.operations for g in grants)),
        scopes=frozenset(g.scope for g in readers),
        hidden=hidden,
        readonly=frozenset.intersection(*(g.readonly | g.hidden for g in grants))
        | _system_fields(registry, entity),
        shown_to_creator=hidden & frozenset().union(*(g.shown_to_creator for g in grants)),
    )


def on_record(granted: Rights, actor: Actor, created_by: int | None,
              owner: int | None) -> Rights:
    """``granted`` on one record: a role's ``shown_to_creator`` fields are visible and
    writable on the records the actor created while they have no owner (a new record:
    ``created_by`` is the actor, ``owner`` None), hidden again once someone owns them.

    Lists, search and exports read many rows at once and keep the fields hidden unless
    they apply this per row (the REST list does).
    """
    opened = granted.shown_to_creator
    if not opened or actor.user_id is None or created_by != actor.user_id or owner is not None:
        return granted
    return replace(granted, hidden=granted.hidden - opened, readonly=granted.readonly - opened,
                   shown_to_creator=frozenset())


def _system_fields(registry: Registry, entity: str) -> frozenset[str]:
    """Fields only the system sets (``system: true``): read-only for every role."""
    return frozenset(f.code for f in registry.entity(entity).fields if f.system)
