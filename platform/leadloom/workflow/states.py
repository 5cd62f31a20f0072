"""Per-state field rights and amount confirmation (``workflows/*.yaml`` ``states`` and
``confirmation``): who may edit which field in the record's current state, and what
confirming or returning an amount sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label, Registry
from leadloom.metadata.workflows import Workflow
from leadloom.workflow.stages import EMPTY, field_name


def state_flows(registry: Registry, entity: str) -> tuple[Workflow, ...]:
    """The workflows of ``entity`` that name a state field."""
    return tuple(w for w in registry.workflows if w.entity == entity and w.state)


def locked(flow: Workflow, state: Any, roles: Iterable[str],
           changed: Iterable[str]) -> tuple[str, ...]:
    """Which of the ``changed`` fields the roles may not edit while in ``state``."""
    spec = flow.state_spec(state)
    mine = set(roles)
    allowed = {f for role, fields in (spec.edit if spec else ()) if role in mine
               for f in fields}
    guarded = flow.guarded
    return tuple(f for f in changed if f in guarded and f not in allowed)


def state_name(entity: Entity, flow: Workflow, value: Any) -> Label:
    """How the state ``value`` reads, in both languages (the state field's option)."""
    if not flow.state or not entity.has_field(flow.state):
        return Label(str(value), str(value))
    option = entity.field(flow.state).option(str(value)) if value is not None else None
    return option.label if option else Label(str(value), str(value))


def locked_message(entity: Entity, flow: Workflow, state: Any) -> Message:
    return Message("locked while %(field)s is %(state)s", state=state_name(entity, flow, state),
                   field=field_name(entity, flow.state or ""))


@dataclass(slots=True)
class Outcome:
    """Values a state change sets, and the problems it has, by field code."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[Message]] = field(default_factory=dict)


def confirm(flow: Workflow, entity: Entity, merged: Mapping[str, Any],
            given: Mapping[str, Any], actor_id: int | None, now: dt.datetime) -> Outcome:
    """Entering the confirmed state: the confirmed amount (the amount unless given), the
    variance, who and when; an adjusted amount needs a reason."""
    conf = flow.confirmation
    assert conf is not None
    out = Outcome()
    amount = merged.get(conf.amount)
    confirmed = given.get(conf.confirmed_amount)
    if confirmed in EMPTY:
        confirmed = amount
    out.values[conf.confirmed_amount] = confirmed
    if _differs(confirmed, amount) and given.get(conf.reason) in EMPTY:
        out.errors[conf.reason] = [Message("say why the confirmed amount differs")]
    out.values.update(_stamps(flow, merged, confirmed, actor_id, now))
    return out


def reconfirm(flow: Workflow, merged: Mapping[str, Any], given: Mapping[str, Any],
              actor_id: int | None, now: dt.datetime) -> dict[str, Any]:
    """An approved amount change of a confirmed record: the new amount is confirmed."""
    conf = flow.confirmation
    assert conf is not None
    confirmed = given.get(conf.confirmed_amount)
    if confirmed in EMPTY:
        confirmed = merged.get(conf.amount)
    return {conf.confirmed_amount: confirmed,
            **_stamps(flow, merged, confirmed, actor_id, now)}


def _stamps(flow: Workflow, merged: Mapping[str, Any], confirmed: Any,
            actor_id: int | None, now: dt.datetime) -> dict[str, Any]:
    conf = flow.confirmation
    assert conf is not None
    found: dict[str, Any] = {}
    amount = merged.get(conf.amount)
    if conf.variance and confirmed not in EMPTY and amount not in EMPTY:
        found[conf.variance] = Decimal(str(confirmed)) - Decimal(str(amount))
    if conf.by:
        found[conf.by] = actor_id
    if conf.at:
        found[conf.at] = now
    return found


def stamped(flow: Workflow) -> tuple[str, ...]:
    """Fields only the confirmation sets (variance, by, at)."""
    conf = flow.confirmation
    if conf is None:
        return ()
    return tuple(c for c in (conf.variance, conf.by, conf.at) if c)


def _differs(a: Any, b: Any) -> bool:
    if a in EMPTY or b in EMPTY:
        return a not in EMPTY or b not in EMPTY
    return Decimal(str(a)) != Decimal(str(b))
