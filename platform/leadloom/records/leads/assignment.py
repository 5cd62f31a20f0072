"""Assignment (X-06): a new lead is placed by its own data, whoever typed it in.

Its unit comes from the territories (``state.territory_of``); then, in order: an existing
customer's lead goes to the account's owner (and is marked upsell), else the unit's
ordered rules hand it to someone, else it goes to the unit's public pool (公海) — for a
lead no territory took (the default unit), its managers are told.

A rule *takes* a lead when its condition holds and one of its people can take it: active,
not away (``records.absences``), in the rule's unit, below the holding cap (the rule's
``cap``, else ``pools.holding_cap``). Strategies: ``round_robin`` (a counter per rule and
unit, so every process agrees), ``weighted`` (round robin over users repeated by weight:
2:1) and ``least_loaded`` (fewest open leads). The lead's history row records the rule,
every candidate considered with why each was skipped, and the reason for the pick.
A lead that comes with an owner, or that its creator keeps (a rep's own lead), is not
routed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from leadloom.metadata.lead_rules import AssignmentRule, Target
from leadloom.records.absences import away_on
from leadloom.records.leads.state import LeadWrite, active_user, unit_of, user_name

PUBLIC = "public"
#: the pseudo-rule of a lead routed to its account's owner
EXISTING_CUSTOMER = "existing_customer"


def assign(w: LeadWrite) -> None:
    """Route a new lead, or note an owner change on an existing one."""
    if w.history:
        return
    if not w.creating:
        _owner_change(w)
        return
    if w.account is not None and "upsell" in w.codes:
        w.set("upsell", True)
    if not w.routed:
        _owned(w, w.owner)
        return
    considered: list[dict[str, Any]] = []
    decision = {"unit": w.unit, "territory": w.territory, "candidates": considered}
    if w.account is not None and w.account[1] is not None:
        owner = w.account[1]
        why = _unavailable(w, owner, w.rules.pools.holding_cap, None)
        considered.append(_candidate(w, owner, EXISTING_CUSTOMER, why))
        if why is None:
            w.decision = {**decision, "rule": EXISTING_CUSTOMER, "account": w.account[0],
                          "reason": "account_owner"}
            _take(w, owner, EXISTING_CUSTOMER)
            return
    for rule in w.rules.assignment.rules:
        if not rule.when.test(w.expression_values(), now=w.now):
            continue
        owner, reason = _pick(w, rule, considered)
        if owner is not None:
            w.decision = {**decision, "rule": rule.code, "reason": reason}
            _take(w, owner, rule.code)
            return
    w.decision = {**decision, "rule": None, "reason": "no_rule_took_it"}
    _to_pool(w)


def _take(w: LeadWrite, owner: int, rule: str) -> None:
    w.assigned_rule = rule
    w.change.values["owner"] = owner
    _owned(w, owner)
    if w.values.get("status") == "new":
        w.set("status", "assigned")


def pool_managers(w: LeadWrite) -> list[int]:
    """The active managers of the pool of the lead's unit (who hear of pooled leads)."""
    return _people(w, Target(roles=w.rules.pools.manager_roles), w.unit)


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


def _pick(w: LeadWrite, rule: AssignmentRule, considered: list[dict[str, Any]]
          ) -> tuple[int | None, str | None]:
    """The person ``rule`` hands the lead to and why; each person it passes over is added
    to ``considered`` with the reason."""
    unit = rule.target.unit or w.unit
    people = _people(w, rule.target, unit)
    _load(w, people)  # each asked once for all of them
    _away(w, people)
    cap = rule.cap if rule.cap is not None else w.rules.pools.holding_cap
    free = []
    for person in people:
        why = _unavailable(w, person, cap, unit if rule.target.users else None)
        considered.append(_candidate(w, person, rule.code, why))
        if why is None:
            free.append(person)
    if not free:
        return None, None
    load = _load(w, free)
    if rule.strategy == "least_loaded":
        pick = min(free, key=lambda p: (load[p], p))
        return pick, f"least_loaded: {load[pick]} open leads"
    ring = [p for p, weight in _weights(w, rule.target, people) for _ in range(weight)]
    ring = [p for p in ring if p in free] or free
    turn = w.state.next_value(w.ctx.session, w.ctx.models, f"rr:{unit or '-'}:{rule.code}")
    return ring[(turn - 1) % len(ring)], f"{rule.strategy}: turn {turn}"


def _unavailable(w: LeadWrite, person: int, cap: int, unit: str | None) -> str | None:
    """Why ``person`` cannot take the lead now (None: they can): ``inactive`` (an account
    owner who left), ``away`` (不在岗 today), ``over_cap`` (holds ``cap`` open leads),
    ``wrong_unit`` (a named person outside the rule's unit ``unit``)."""
    if not active_user(w.ctx, person):
        return "inactive"
    if unit is not None and unit_of(w.ctx, person) not in (None, unit):
        return "wrong_unit"
    if person in _away(w, [person]):
        return "away"
    if cap and _load(w, [person])[person] >= cap:
        return "over_cap"
    return None


def _candidate(w: LeadWrite, person: int, rule: str, why: str | None) -> dict[str, Any]:
    found = {"user": person, "name": user_name(w.ctx, person), "rule": rule,
             "open_leads": _load(w, [person])[person]}
    return found | {"skipped": why} if why else found


def _away(w: LeadWrite, people: list[int]) -> set[int]:
    """Who of ``people`` is away on the lead's day (asked once per person and
    transaction)."""
    state = w.state
    day = w.rules.calendar.local(w.now).date()
    missing = [p for p in people if (p, day) not in state.away]
    if missing:
        gone = away_on(w.ctx, missing, day)
        state.away |= {(p, day): p in gone for p in missing}
    return {p for p in people if state.away[(p, day)]}


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
    no owner (the pool), the unit the territories chose, or an owner's unit."""
    columns: dict[str, Any] = {}
    if w.to_pool and owner is not None:
        columns["owner_id"] = None
    placed = w.unit if w.routed else unit
    if w.owner_changed and w.owner is not None:
        placed = unit_of(w.ctx, w.owner) or placed
    if placed != unit:
        columns["unit"] = placed
    return columns
