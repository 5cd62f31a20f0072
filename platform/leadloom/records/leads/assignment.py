"""Assignment (X-06): the ordered rules hand a new lead to someone; a lead no rule takes
goes to its unit's public pool (公海).

A rule *takes* a lead when its condition holds and one of its people can take it (active,
below the holding cap). Strategies: ``round_robin`` (a counter per rule and unit, so every
process agrees), ``weighted`` (round robin over users repeated by weight: 2:1) and
``least_loaded`` (fewest open leads). A lead that its creator keeps (a rep's own lead) or
that comes with an owner is not routed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from leadloom.metadata.lead_rules import AssignmentRule, Target
from leadloom.records.leads.state import LeadWrite, unit_of

PUBLIC = "public"


def assign(w: LeadWrite) -> None:
    """Route a new lead, or note an owner change on an existing one."""
    change = w.change
    if w.history:
        return
    if not w.creating:
        _owner_change(w)
        return
    rules = w.rules.assignment
    explicit = change.values.get("owner") is not None
    keeps = set(w.ctx.actor.roles) & set(rules.keep_creator_roles)
    if explicit or (keeps and w.ctx.actor.user_id is not None):
        _owned(w, w.owner)
        return
    for rule in rules.rules:
        if not rule.when.test(w.expression_values(), now=w.now):
            continue
        owner = _pick(w, rule)
        if owner is not None:
            w.assigned_rule = rule.code
            change.values["owner"] = owner
            _owned(w, owner)
            if w.values.get("status") == "new":
                w.set("status", "assigned")
            return
    _to_pool(w)


def _owned(w: LeadWrite, owner: int | None) -> None:
    w.values["owner"] = owner
    w.owner_changed = owner is not None
    w.set("pool", None)
    w.set("assigned_at", w.now if owner is not None else None)
    if owner is not None:
        w.state.assigned[owner] += 1


def _to_pool(w: LeadWrite) -> None:
    """Into the unit's public pool: a new lead stays 新建 there, one taken from its owner
    becomes 待分配."""
    w.to_pool = True
    w.values["owner"] = None
    w.set("pool", PUBLIC)
    w.set("assigned_at", None)
    if not w.creating and w.values.get("status") in ("new", "assigned", "contacting"):
        w.set("status", "unassigned")


def _owner_change(w: LeadWrite) -> None:
    """A supervisor reassigns, or takes a lead out of someone's hands."""
    change = w.change
    if "owner" not in change.values or change.values["owner"] == change.before.get("owner"):
        return
    owner = change.values["owner"]
    if owner is None:
        w.released = True
        _to_pool(w)
        return
    _owned(w, owner)
    if w.values.get("status") in ("new", "unassigned"):
        w.set("status", "assigned")
    if not w.values.get("first_contact_at"):
        w.set("first_touch_due_at", None)  # recomputed by the SLA step from assigned_at


def _pick(w: LeadWrite, rule: AssignmentRule) -> int | None:
    unit = rule.target.unit or w.unit
    people = _people(w, rule.target, unit)
    if not people:
        return None
    load = _load(w, people)
    cap = w.rules.pools.holding_cap
    free = [p for p in people if not cap or load[p] < cap]
    if not free:
        return None
    if rule.strategy == "least_loaded":
        return min(free, key=lambda p: (load[p], p))
    ring = [p for p, weight in _weights(w, rule.target, people) for _ in range(weight)]
    ring = [p for p in ring if p in free] or free
    turn = w.state.next_value(w.ctx.session, w.ctx.models,
                                               f"rr:{unit or '-'}:{rule.code}")
    return ring[(turn - 1) % len(ring)]


def _weights(w: LeadWrite, target: Target, people: list[int]) -> list[tuple[int, int]]:
    if not target.users:
        return [(p, 1) for p in people]
    ids = _user_ids(w, [name for name, _ in target.users])
    return [(ids[name], weight) for name, weight in target.users if ids.get(name) in people]


def _people(w: LeadWrite, target: Target, unit: str | None) -> list[int]:
    """Active users the rule may hand leads to, in a stable order."""
    state = w.state
    key = (target.roles, target.users, unit)
    if key not in state.candidates:
        found: set[int] = set()
        if target.users:
            found |= set(_user_ids(w, [name for name, _ in target.users]).values())
        if target.roles:
            query = (sa.select(User.id).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
                     .join(Role, Role.id == assoc_user_role.c.role_id)
                     .where(Role.name.in_(target.roles), User.active.is_(True)))
            by_role = set(w.ctx.session.scalars(query))
            found |= {u for u in by_role if unit_of(w.ctx, u) == unit}
        state.candidates[key] = sorted(found)
    return state.candidates[key]


def _user_ids(w: LeadWrite, names: list[str]) -> dict[str, int]:
    """Ids of the active users among ``names`` (cached for the transaction)."""
    known = w.state.usernames
    missing = [name for name in names if name not in known]
    if missing:
        rows = w.ctx.session.execute(sa.select(User.username, User.id).where(
            User.username.in_(missing), User.active.is_(True)))
        known |= dict.fromkeys(missing) | {r.username: r.id for r in rows}
    return {name: known[name] for name in names if known[name] is not None}


def _load(w: LeadWrite, people: list[int]) -> dict[int, int]:
    """Open leads each person holds: what they held when this transaction first asked,
    plus what this transaction gave them (one query per person and transaction)."""
    state = w.state
    missing = [p for p in people if p not in state.loads]
    if missing:
        lead = w.ctx.models.cls("lead").__table__
        rows = w.ctx.session.execute(
            sa.select(lead.c.owner_id, sa.func.count()).where(
                lead.c.owner_id.in_(missing), lead.c.status.in_(w.rules.open_statuses))
            .group_by(lead.c.owner_id))
        state.loads |= dict.fromkeys(missing, 0) | {r[0]: int(r[1]) for r in rows}
    return {p: state.loads[p] + state.assigned[p] for p in people}


def placement(w: LeadWrite, owner: int | None, unit: str | None) -> dict[str, Any]:
    """What the write path stamped (``owner``, ``unit``) but the rules decided otherwise:
    no owner (the pool), or the unit of an owner from another unit."""
    columns: dict[str, Any] = {}
    if w.to_pool and owner is not None:
        columns["owner_id"] = None
    elif w.owner_changed and w.owner is not None:
        owner_unit = unit_of(w.ctx, w.owner)
        if owner_unit and owner_unit != unit:
            columns["unit"] = owner_unit
    return columns
