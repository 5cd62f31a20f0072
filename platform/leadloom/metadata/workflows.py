"""Workflows, ``config/workflows/<name>.yaml``: approval flows and per-state field rights.

An approval flow has a trigger (a stage move — by kind, from or to given stages — or a
change to given fields, each optionally with a condition), steps (approvers by role and/or
relation to the record's owner; N of the M eligible people approve), sequential or
parallel, and whether the requester may approve their own request. A workflow may also
name a state field and say, for each state, which fields each role may edit; and describe
an amount confirmation (confirm or adjust with a reason, keep the variance, return with a
reason, resubmit after an edit).

This module owns the marshmallow schema, the cross-checks (``check_workflows``) and the
frozen dataclasses the Registry holds (``build_workflows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import CHOICE, NUMERIC, FieldType
from leadloom.metadata.funnel_checks import (
    expression_problem,
    known,
    named_file_entity,
    option_codes,
)
from leadloom.metadata.funnels import MOVE_KINDS, Strict, codes
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import Label

#: who approves, relative to the record: its owner, people in the owner's team or unit
RELATIONS = ("owner", "owner_team", "owner_unit")
ORDERS = ("sequential", "parallel")


class TriggerSchema(Strict):
    moves = mf.List(mf.String(validate=validate.OneOf(
        MOVE_KINDS, error=f"unknown move '{{input}}' (known: {', '.join(MOVE_KINDS)})")),
        load_default=list)
    to = codes()
    # ``from`` is a Python keyword: the attribute has another name
    from_ = mf.List(mf.String(), load_default=list, data_key="from")
    fields = codes()
    when = mf.String(load_default=None)


class StepSchema(Strict):
    zh = mf.String(load_default=None)
    en = mf.String(load_default=None)
    role = mf.String(load_default=None)
    relation = mf.String(load_default=None, validate=validate.OneOf(
        RELATIONS, error=f"unknown relation '{{input}}' (known: {', '.join(RELATIONS)})"))
    required = mf.Integer(load_default=1, validate=validate.Range(
        min=1, max=50, error="give a number from {min} to {max}"))


class StateSchema(Strict):
    #: role → the fields it may edit while the record is in this state
    edit = mf.Dict(keys=mf.String(), values=mf.List(mf.String()), load_default=dict)
    #: a field that must say why, when a record enters this state
    reason = mf.String(load_default=None)
    #: the state an edit by someone else moves the record to (e.g. resubmission)
    after_edit = mf.Raw(load_default=None)


class ConfirmationSchema(Strict):
    confirmed = mf.Raw(required=True)
    amount = mf.String(required=True)
    confirmed_amount = mf.String(required=True)
    reason = mf.String(required=True)
    variance = mf.String(load_default=None)
    by = mf.String(load_default=None)
    at = mf.String(load_default=None)


class WorkflowSchema(Strict):
    workflow = mf.String()
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))
    entity = mf.String(required=True)
    trigger = mf.Nested(TriggerSchema, load_default=None)
    steps = mf.List(mf.Nested(StepSchema), load_default=list)
    order = mf.String(load_default="sequential", validate=validate.OneOf(
        ORDERS, error=f"unknown order '{{input}}' (known: {', '.join(ORDERS)})"))
    self_approval = mf.Boolean(load_default=False)
    #: the requester must say why (the comment of the request)
    comment_required = mf.Boolean(load_default=False)
    state = mf.String(load_default=None)
    states = mf.Dict(keys=mf.String(), values=mf.Nested(StateSchema), load_default=dict)
    confirmation = mf.Nested(ConfirmationSchema, load_default=None)


#: every schema of a workflow file, for "did you mean" hints on unknown keys
SCHEMAS = (WorkflowSchema, TriggerSchema, StepSchema, StateSchema, ConfirmationSchema)


@dataclass(frozen=True, slots=True)
class Trigger:
    """What starts an approval: a stage move or a field change, and a condition."""

    moves: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    from_: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    when: str | None = None

    @property
    def on_change(self) -> bool:
        return bool(self.fields)


@dataclass(frozen=True, slots=True)
class Step:
    """``required`` of the people who hold ``role`` (and stand in ``relation`` to the
    owner) approve; no role: anyone in the relation."""

    label: Label
    role: str | None = None
    relation: str | None = None
    required: int = 1


@dataclass(frozen=True, slots=True)
class State:
    value: str
    #: (role, fields the role may edit in this state)
    edit: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reason: str | None = None
    after_edit: str | None = None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """An amount another role confirms: ``confirmed`` is the state value that confirms."""

    confirmed: str
    amount: str
    confirmed_amount: str
    reason: str
    variance: str | None = None
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    label: Label
    entity: str
    trigger: Trigger | None = None
    steps: tuple[Step, ...] = ()
    order: str = "sequential"
    self_approval: bool = False
    comment_required: bool = False
    state: str | None = None
    states: tuple[State, ...] = ()
    confirmation: Confirmation | None = None

    def state_spec(self, value: Any) -> State | None:
        return next((s for s in self.states if s.value == value), None)

    @property
    def guarded(self) -> frozenset[str]:
        """The fields whose edits the states control: the state field and every field a
        state lists for a role."""
        if self.state is None:
            return frozenset()
        return frozenset({self.state, *(f for s in self.states for _, fs in s.edit
                                        for f in fs)})


# ---- checks ------------------------------------------------------------------------------

def check_workflows(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem of the workflow files."""
    errors: list[ConfigError] = []
    for name, part in parts.workflows.items():
        errors += _check_workflow(parts, name, part)
    return errors


def _check_workflow(parts: ConfigParts, name: str, part: Part) -> Iterator[ConfigError]:
    data = part.data
    fields = yield from named_file_entity(parts, part, "workflow", name)
    if fields is None:
        return
    roles = set(parts.roles.data["roles"]) if parts.roles else None
    if data["trigger"] is None and data["steps"]:
        yield part.error(("steps",), "steps need a trigger: say what starts the approval")
    if data["trigger"] is not None:
        yield from _check_trigger(parts, part, data, fields)
        if not data["steps"]:
            yield part.error(("trigger",), "an approval needs steps: who approves")
    for i, step in enumerate(data["steps"]):
        yield from _check_step(part, ("steps", i), step, roles)
    yield from _check_states(parts, part, data, fields, roles)
    if data["confirmation"] is not None:
        yield from _check_confirmation(parts, part, data, fields)


def _check_trigger(parts: ConfigParts, part: Part, data: dict[str, Any],
                   fields: dict[str, Any]) -> Iterator[ConfigError]:
    trigger = data["trigger"]
    at = ("trigger",)
    moving = trigger["moves"] or trigger["to"] or trigger["from_"]
    if not moving and not trigger["fields"]:
        yield part.error(at, "say what starts it: moves, to, from or fields")
    if moving and trigger["fields"]:
        yield part.error((*at, "fields"), "a trigger is a stage move or a field change, "
                                          "not both")
    stages = _funnel_stages(parts, data["entity"])
    broken = len(parts.files.names_in("funnels")) > len(parts.funnels)
    if moving and not stages and not broken:
        yield part.error(at, f"'{data['entity']}' has no funnel: stage moves cannot "
                             "trigger it")
    for key, label in (("to", "to"), ("from_", "from")):
        for i, code in enumerate(trigger[key]):
            if stages and code not in stages and not broken:
                yield part.error((*at, label, i), f"unknown stage '{code}' {known(stages)}")
    for i, code in enumerate(trigger["fields"]):
        if code not in fields:
            yield part.error((*at, "fields", i), f"unknown field '{code}' {known(fields)}")
    if trigger["when"] is not None:
        problem = expression_problem(parts, data["entity"], trigger["when"])
        if problem:
            yield part.error((*at, "when"), problem)


def _funnel_stages(parts: ConfigParts, entity: str) -> set[str]:
    return {code for p in parts.funnels.values() if p.data["entity"] == entity
            for code in p.data["stages"]}


def _check_step(part: Part, at: tuple[str | int, ...], step: dict[str, Any],
                roles: set[str] | None) -> Iterator[ConfigError]:
    if step["role"] is None and step["relation"] is None:
        yield part.error(at, "name the approvers: a role, a relation or both")
    if step["role"] is not None and roles is not None and step["role"] not in roles:
        yield part.error((*at, "role"), f"unknown role '{step['role']}' {known(roles)}")
    if step["relation"] == "owner" and step["required"] > 1:
        yield part.error((*at, "required"), "the owner is one person: required must be 1")


def _check_states(parts: ConfigParts, part: Part, data: dict[str, Any],
                  fields: dict[str, Any], roles: set[str] | None) -> Iterator[ConfigError]:
    state = data["state"]
    if state is None:
        if data["states"]:
            yield part.error(("states",), "name the state field: 'state: <field>'")
        return
    if state not in fields:
        yield part.error(("state",), f"unknown field '{state}' {known(fields)}")
        return
    if FieldType(fields[state]["type"]) not in CHOICE:
        yield part.error(("state",), f"'{state}' is {fields[state]['type']}: the state field "
                                     "must be an enum")
        return
    codes = option_codes(parts, data["entity"], state) or []
    for value, spec in data["states"].items():
        at = ("states", value)
        if codes and value not in codes:
            yield part.error(at, f"'{value}' is not an option of '{state}' {known(codes)}")
        for role, names in spec["edit"].items():
            if roles is not None and role not in roles:
                yield part.error((*at, "edit", role), f"unknown role '{role}' {known(roles)}")
            for i, code in enumerate(names):
                if code not in fields:
                    yield part.error((*at, "edit", role, i), f"unknown field '{code}' "
                                                             f"{known(fields)}")
        if spec["reason"] is not None and spec["reason"] not in fields:
            yield part.error((*at, "reason"), f"unknown field '{spec['reason']}' "
                                              f"{known(fields)}")
        after = spec["after_edit"]
        if after is not None and codes and str(after) not in codes:
            yield part.error((*at, "after_edit"), f"'{after}' is not an option of '{state}' "
                                                  f"{known(codes)}")


def _check_confirmation(parts: ConfigParts, part: Part, data: dict[str, Any],
                        fields: dict[str, Any]) -> Iterator[ConfigError]:
    spec = data["confirmation"]
    at = ("confirmation",)
    if data["state"] is None:
        yield part.error(at, "a confirmation needs 'state: <field>'")
    elif str(spec["confirmed"]) not in data["states"]:
        yield part.error((*at, "confirmed"), f"'{spec['confirmed']}' is not one of the states "
                                             f"{known(data['states'])}")
    for key in ("amount", "confirmed_amount", "variance"):
        code = spec[key]
        if code is None:
            continue
        if code not in fields:
            yield part.error((*at, key), f"unknown field '{code}' {known(fields)}")
        elif FieldType(fields[code]["type"]) not in NUMERIC:
            yield part.error((*at, key), f"'{code}' is not a number or money field")
    for key, wanted in (("reason", None), ("by", FieldType.USER), ("at", FieldType.DATETIME)):
        code = spec[key]
        if code is None:
            continue
        if code not in fields:
            yield part.error((*at, key), f"unknown field '{code}' {known(fields)}")
        elif wanted is not None and FieldType(fields[code]["type"]) is not wanted:
            yield part.error((*at, key), f"'{code}' must be a {wanted} field")


# ---- build -------------------------------------------------------------------------------

def build_workflows(parts: ConfigParts) -> tuple[Workflow, ...]:
    """The Workflow specs, sorted by name; ``parts`` must have passed ``check_workflows``."""
    return tuple(_workflow(name, part.data) for name, part in sorted(parts.workflows.items()))


def _workflow(name: str, data: dict[str, Any]) -> Workflow:
    label = Label(zh=data["zh"], en=data["en"])
    trigger = data["trigger"]
    confirmation = data["confirmation"]
    return Workflow(
        name=name, label=label, entity=data["entity"],
        trigger=Trigger(tuple(trigger["moves"]), tuple(trigger["to"]),
                        tuple(trigger["from_"]), tuple(trigger["fields"]), trigger["when"])
        if trigger else None,
        steps=tuple(_step(i, step, label) for i, step in enumerate(data["steps"])),
        order=data["order"], self_approval=data["self_approval"],
        comment_required=data["comment_required"], state=data["state"],
        states=tuple(State(str(value), tuple((role, tuple(names))
                                             for role, names in spec["edit"].items()),
                           spec["reason"],
                           None if spec["after_edit"] is None else str(spec["after_edit"]))
                     for value, spec in data["states"].items()),
        confirmation=Confirmation(str(confirmation["confirmed"]), confirmation["amount"],
                                  confirmation["confirmed_amount"], confirmation["reason"],
                                  confirmation["variance"], confirmation["by"],
                                  confirmation["at"]) if confirmation else None,
    )


def _step(index: int, step: dict[str, Any], flow: Label) -> Step:
    label = Label(step["zh"] or f"{flow.zh} 第{index + 1}步",
                  step["en"] or f"{flow.en}, step {index + 1}")
    return Step(label, step["role"], step["relation"], step["required"])
