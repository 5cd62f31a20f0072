"""What one lead write works with (``LeadWrite``), and what a whole transaction shares
(``TxState``: caches, and the keys of rows a bulk import has checked but not stored yet).

Hook modules import this, never ``records.service`` (``records.hooks`` imports them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session, scoped_session

from leadloom.access.people import display_name
from leadloom.metadata.lead_rules import LeadRules
from leadloom.metadata.registry import Entity
from leadloom.records.identity_cache import by_identity
from leadloom.records.leads import clock
from leadloom.records.leads.counters import CounterBatch, next_value

if TYPE_CHECKING:
    from leadloom.records.hooks import Change
    from leadloom.records.service import Context

STATE_KEY = "leadloom.lead_rules"


@dataclass(slots=True)
class TxState:
    """Shared by every write of one transaction (a bulk import is one transaction)."""

    transaction: Any
    #: user id → unit (``None``: no unit), from ``ll_user_org``
    units: dict[int, str | None] = field(default_factory=dict)
    #: user id → (display name, active)
    users: dict[int, tuple[str, bool]] = field(default_factory=dict)
    #: reference (entity, id) → the row's values, e.g. a source's code
    refs: dict[tuple[str, int], Any] = field(default_factory=dict)
    #: (roles, unit) → candidate user ids, and usernames → ids
    candidates: dict[Any, list[int]] = field(default_factory=dict)
    #: leads assigned in this transaction, per owner (for caps and least-loaded)
    assigned: Counter[int] = field(default_factory=Counter)
    #: duplicate keys (kind, key) of rows checked in this transaction but not stored yet →
    #: the writes (``id(LeadWrite)``) they belong to
    pending: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    #: open leads each person held when this transaction first asked
    loads: dict[int, int] = field(default_factory=dict)
    #: while a batch runs its rules: the counters it takes values of (read once each)
    counters: CounterBatch | None = None
    #: usernames → ids of active users (a weighted rule's people)
    usernames: dict[str, int | None] = field(default_factory=dict)
    #: (user id, day) → away (不在岗) that day
    away: dict[tuple[int, dt.date], bool] = field(default_factory=dict)

    def next_value(self, session: Session, models: Any, scope: str,
                   start: Callable[[], int] = lambda: 0) -> int:
        """The counter's next value: from the batch's counters while one runs."""
        if self.counters is not None:
            return self.counters.take(scope, start)
        return next_value(session, models, scope, start)


def tx_state(session: Session) -> TxState:
    """The state of ``session``'s current transaction (fresh for each transaction)."""
    real = session() if isinstance(session, scoped_session) else session
    transaction = real.get_transaction()
    found = real.info.get(STATE_KEY)
    if found is None or found.transaction is not transaction:
        found = real.info[STATE_KEY] = TxState(transaction)
    return found


def unit_of(ctx: Context, user_id: int | None) -> str | None:
    """A user's business unit (cached for the transaction)."""
    if user_id is None:
        return None
    cache = tx_state(ctx.session).units
    if user_id not in cache:
        org = ctx.models.org
        cache[user_id] = ctx.session.scalar(sa.select(org.c.unit).where(
            org.c.user_id == user_id))
    return cache[user_id]


def user_name(ctx: Context, user_id: int | None) -> str:
    """A user's name for messages: 张伟 for Chinese names, else first and last name."""
    if user_id is None:
        return ""
    cache = tx_state(ctx.session).users
    if user_id not in cache:
        row = ctx.session.execute(sa.select(User.first_name, User.last_name, User.username,
                                            User.active).where(User.id == user_id)).first()
        name = display_name(row.first_name, row.last_name, row.username) if row else None
        cache[user_id] = (name or f"#{user_id}", bool(row and row.active))
    return cache[user_id][0]


def active_user(ctx: Context, user_id: int | None) -> bool:
    """Whether ``user_id`` is a user who can work (exists and is active)."""
    if user_id is None:
        return False
    user_name(ctx, user_id)
    return tx_state(ctx.session).users[user_id][1]


@dataclass(slots=True)
class LeadWrite:
    """One lead write as the rule steps see it; kept in ``change.notes`` until after_save."""

    change: Change
    rules: LeadRules
    unit: str | None
    now: dt.datetime
    #: a history row: the system loading old data with its own number (demo, migrations)
    history: bool
    #: the lead's values after this write (stored values overlaid with the new ones)
    values: dict[str, Any]
    #: the transaction's state (``tx_state``), looked up once per write
    state: TxState
    #: the field codes of the unit's view of the lead (what ``set`` may write)
    codes: frozenset[str]
    review: bool = False
    to_pool: bool = False
    released: bool = False
    assigned_rule: str | None = None
    #: the owner after this write differs from before (or the lead is new and owned)
    owner_changed: bool = False
    grade_event: dict[str, Any] | None = None
    #: duplicate warnings: (existing lead's owner, message, existing lead's id)
    warnings: list[tuple[int | None, str, int | None]] = field(default_factory=list)
    keys: list[tuple[str, str, str | None]] = field(default_factory=list)
    keys_changed: bool = False
    #: a new lead the rules place (no owner given, not kept by the rep who typed it)
    routed: bool = False
    #: the territory that chose the unit of a new lead (None: the default unit, or not
    #: routed); ``assignment`` fills the rest of what the audit records
    territory: str | None = None
    #: how the owner was chosen: rule, candidates considered (with why each was skipped)
    #: and the pick's reason, for the lead's history
    decision: dict[str, Any] | None = None
    #: the existing account this new lead's contact or company belongs to (upsell)
    account: tuple[int, int | None] | None = None

    @property
    def ctx(self) -> Context:
        return self.change.ctx

    @property
    def creating(self) -> bool:
        return self.change.creating

    def set(self, code: str, value: Any) -> None:
        """Write ``code`` (if the unit's view has it) and keep ``values`` in step."""
        if code in self.codes and (
                self.change.creating or self.change.before.get(code) != value
                or code in self.change.values):
            self.change.values[code] = value
        self.values[code] = value

    @property
    def owner(self) -> int | None:
        return self.values.get("owner")

    def expression_values(self) -> dict[str, Any]:
        return {**self.rules.list_values(), **self.values}


def lead_write(change: Change, rules_set: Any) -> LeadWrite:
    """A ``LeadWrite`` for a lead change: the unit's rules and the merged values."""
    ctx = change.ctx
    record = change.record
    values = {**change.before, **change.values}
    territory = None
    placed = change.creating and routed(change, rules_set)
    if not change.creating:
        unit = record.unit
    elif placed:
        territory, unit = territory_of(rules_set, values, ctx.actor.unit)
    else:
        owner = change.values.get("owner") or ctx.actor.user_id
        unit = unit_of(ctx, owner) or ctx.actor.unit if change.entity.owned else None
    values.setdefault("owner", change.values.get("owner", ctx.actor.user_id)
                      if change.creating else change.before.get("owner"))
    values["unit"] = unit
    moment = clock.now()
    values["created_at"] = moment if change.creating else getattr(record, "created_at", None)
    history = bool(ctx.actor.system and change.creating and change.values.get("lead_no"))
    return LeadWrite(change, rules_set.for_unit(unit), unit, moment, history, values,
                     tx_state(ctx.session), field_codes(change.entity), territory=territory,
                     routed=placed)


def routed(change: Change, rules_set: Any) -> bool:
    """Whether the assignment rules place this new lead: it comes without an owner, and
    not from someone who keeps what they enter (a rep's own lead is theirs)."""
    ctx = change.ctx
    if change.values.get("owner") is not None or not change.entity.owned:
        return False
    if ctx.actor.system and change.values.get("lead_no"):
        return False  # a history row keeps the place it had
    keeps = set(ctx.actor.roles) & set(rules_set.base.assignment.keep_creator_roles)
    return not (keeps and ctx.actor.user_id is not None)


def territory_of(rules_set: Any, values: dict[str, Any], fallback: str | None
                 ) -> tuple[str | None, str | None]:
    """(territory code, unit) of a new lead, from its own values: the first territory
    that takes it, else the default unit (else ``fallback``: a config without either)."""
    assignment = rules_set.base.assignment
    if not assignment.territories and assignment.default_unit is None:
        return None, fallback
    names = {**rules_set.base.list_values(), **values, "unit": None}
    for territory in assignment.territories:
        if territory.when.test(names, now=clock.now()):
            return territory.code, territory.unit
    return None, assignment.default_unit or fallback


def field_codes(entity: Entity) -> frozenset[str]:
    """``entity``'s field codes, built once per Entity object."""
    return by_identity(_CODES, entity, lambda: frozenset(f.code for f in entity.fields))


_CODES: dict[int, tuple[Entity, frozenset[str]]] = {}
