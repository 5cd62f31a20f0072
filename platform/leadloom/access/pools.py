"""The public pool's read scope: who sees which unowned leads.

A lead in a pool has no owner, so no ``own``/``team`` scope reaches it. The pool is a read
path of its own, used by the pool page, its API and claims: the unowned leads in the pool
of the actor's unit, for the roles that claim from it or manage it (``config/leads.yaml``
``pools``); managers also see the leads of no unit (with territories and a default unit,
new leads always have one); admins and the system every pool.
Contact details are never shown there.
"""

from __future__ import annotations

import sqlalchemy as sa

from leadloom.access.actor import Actor
from leadloom.model.tables import Models


def pool_roles(models: Models, actor: Actor) -> tuple[bool, bool]:
    """(may claim, may manage) the pool of the actor's unit."""
    rules = models.registry.lead_rules
    if rules is None:
        return False, False
    pools = rules.for_unit(actor.unit).pools
    roles = set(actor.roles)
    admin = actor.system or any(r.admin for r in models.registry.roles if r.code in roles)
    return bool(roles & set(pools.claim_roles)), admin or bool(roles & set(pools.manager_roles))


def pool_clause(models: Models, actor: Actor) -> sa.ColumnElement[bool]:
    """The leads of the public pool ``actor`` may see, as a WHERE clause."""
    cls = models.cls("lead")
    claims, manages = pool_roles(models, actor)
    in_pool = sa.and_(cls.owner_id.is_(None), cls.pool == "public")
    admin = actor.system or any(r.admin for r in models.registry.roles
                                if r.code in actor.roles)
    if admin:
        return in_pool
    if not (claims or manages):
        return sa.false()
    unit = cls.unit.is_(None) if actor.unit is None else cls.unit == actor.unit
    if manages:  # leads of no unit (a config without territories) wait for any manager
        unit = sa.or_(unit, cls.unit.is_(None))
    return sa.and_(in_pool, unit)


def in_pool(models: Models, actor: Actor, owner_id: int | None, pool: str | None,
            unit: str | None) -> bool:
    """Whether a lead with these values is in ``pool_clause`` (for rows not written yet)."""
    if owner_id is not None or pool != "public":
        return False
    claims, manages = pool_roles(models, actor)
    if actor.system or any(r.admin for r in models.registry.roles if r.code in actor.roles):
        return True
    if not (claims or manages):
        return False
    return unit == actor.unit or (manages and unit is None)
