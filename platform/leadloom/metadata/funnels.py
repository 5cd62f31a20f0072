"""Funnels, ``config/funnels/<name>.yaml``: the stages a record moves through.

A funnel names an entity and the enum field holding the stage; its stages are that field's
option codes (labels, and a unit's relabelled or extra options, come from the field), in
funnel order. Each stage has a probability, the fields required to enter and to leave it,
the moves allowed from it (optionally limited to roles or guarded by a condition), a stall
limit in days and an outcome (open, won or lost). A stage may need a linked record (the
contract), may be left only once linked records exist (``leave_records``: a follow-up of
kind demo, a contract), may be entered only when a linked record reaches a state (finance
confirmed the contract), and may set fields on entry or on exit. A funnel without ``units`` is the
default of its entity; a unit may have its own.

This module owns the marshmallow schema and the frozen dataclasses the Registry holds
(``build_funnels``); ``funnel_checks`` owns the cross-checks.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, validate
from marshmallow import fields as mf

from leadloom.metadata.parts import ConfigParts
from leadloom.metadata.registry import Label, UnitView

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
OUTCOMES = ("open", "won", "lost")
#: where a record may be moved: along ``next`` (a move), forward past stages (a skip),
#: back to an earlier stage (back)
MOVE_KINDS = ("next", "skip", "back")


class Strict(Schema):
    """A schema that refuses unknown keys (they are reported with a "did you mean")."""

    class Meta:
        unknown = RAISE


def codes() -> mf.List:
    """A list of codes, empty when left out."""
    return mf.List(mf.String(), load_default=list)


class MoveSchema(Strict):
    to = mf.String(required=True)
    roles = codes()
    when = mf.String(load_default=None)


class RelatedSchema(Strict):
    entity = mf.String(required=True)
    link = mf.String(required=True)
    fields = codes()


class LeaveRecordSchema(Strict):
    entity = mf.String(required=True)
    link = mf.String(required=True)
    #: field → value the linked record must hold (e.g. {kind: demo})
    where = mf.Dict(keys=mf.String(), values=mf.Raw(), load_default=dict)


class FollowsSchema(Strict):
    entity = mf.String(required=True)
    link = mf.String(required=True)
    field = mf.String(required=True)
    value = mf.Raw(required=True)
    otherwise = mf.String(required=True)


class StageSchema(Strict):
    probability = mf.Integer(required=True, validate=validate.Range(
        min=0, max=100, error="give a percentage from {min} to {max}"))
    stall_days = mf.Integer(load_default=None, validate=validate.Range(
        min=1, max=3650, error="give a number from {min} to {max}"))
    outcome = mf.String(load_default="open", validate=validate.OneOf(
        OUTCOMES, error=f"unknown outcome '{{input}}' (known: {', '.join(OUTCOMES)})"))
    enter = codes()
    leave = codes()
    #: stage codes, or ``{to, roles, when}`` mappings
    next = mf.List(mf.Raw(), load_default=list)
    related = mf.Nested(RelatedSchema, load_default=None)
    leave_records = mf.List(mf.Nested(LeaveRecordSchema), load_default=list)
    follows = mf.Nested(FollowsSchema, load_default=None)
    on_enter = mf.Dict(keys=mf.String(), values=mf.Raw(allow_none=True), load_default=dict)
    on_leave = mf.Dict(keys=mf.String(), values=mf.Raw(allow_none=True), load_default=dict)


class FunnelSchema(Strict):
    funnel = mf.String()
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))
    entity = mf.String(required=True)
    field = mf.String(required=True)
    amount = mf.String(load_default=None)
    units = codes()
    start = codes()
    stages = mf.Dict(keys=mf.String(), values=mf.Nested(StageSchema), required=True,
                     validate=validate.Length(min=2, error="declare at least two stages"))


#: every schema of a funnel file, for "did you mean" hints on unknown keys
SCHEMAS = (FunnelSchema, StageSchema, MoveSchema, RelatedSchema, LeaveRecordSchema,
           FollowsSchema)


@dataclass(frozen=True, slots=True)
class Move:
    """An allowed move to ``to``; ``roles`` empty: anyone who may update the record."""

    to: str
    roles: tuple[str, ...] = ()
    #: a condition on the record's values (the rules expression language)
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """Records of ``entity`` whose reference field ``link`` points at this record."""

    entity: str
    link: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LeaveRecord:
    """A record of ``entity`` linked by ``link`` and holding ``where`` must exist before
    the stage may be left (an exit criterion)."""

    entity: str
    link: str
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Follows:
    """The stage is entered when a linked record's ``field`` becomes ``value``; when no
    linked record holds it any more, the record goes back to ``otherwise``."""

    entity: str
    link: str
    field: str
    value: str
    otherwise: str


@dataclass(frozen=True, slots=True)
class Stage:
    code: str
    probability: int
    outcome: str = "open"
    stall_days: int | None = None
    enter: tuple[str, ...] = ()
    leave: tuple[str, ...] = ()
    moves: tuple[Move, ...] = ()
    related: Related | None = None
    leave_records: tuple[LeaveRecord, ...] = ()
    follows: Follows | None = None
    on_enter: tuple[tuple[str, Any], ...] = ()
    on_leave: tuple[tuple[str, Any], ...] = ()

    @property
    def closed(self) -> bool:
        """Won or lost: the record is out of the running funnel."""
        return self.outcome != "open"

    def move(self, to: str) -> Move | None:
        return next((m for m in self.moves if m.to == to), None)


@dataclass(frozen=True, slots=True)
class Funnel:
    name: str
    label: Label
    entity: str
    field: str
    stages: tuple[Stage, ...]
    #: the stages a new record may start in (the first stage unless declared)
    start: tuple[str, ...]
    amount: str | None = None
    #: the units this funnel is for; empty: every unit without a funnel of its own
    units: tuple[str, ...] = ()

    def stage(self, code: str | None) -> Stage | None:
        return next((s for s in self.stages if s.code == code), None)

    def index(self, code: str) -> int:
        return next(i for i, s in enumerate(self.stages) if s.code == code)


def funnel_for(funnels: tuple[Funnel, ...], entity: str, unit: str | None) -> Funnel | None:
    """The funnel records of ``entity`` in ``unit`` move through, if any."""
    own = [f for f in funnels if f.entity == entity and unit is not None and unit in f.units]
    if own:
        return own[0]
    return next((f for f in funnels if f.entity == entity and not f.units), None)


def funnel_stages(views: tuple[UnitView, ...], funnels: tuple[Funnel, ...]
                  ) -> tuple[UnitView, ...]:
    """Each unit's view offers its own funnel's stages: other options of the stage field
    stay known (stored values read) but cannot be chosen in that unit."""
    result = []
    for view in views:
        entities = []
        for entity in view.entities:
            funnel = funnel_for(funnels, entity.code, view.unit)
            if funnel is None or not entity.has_field(funnel.field):
                entities.append(entity)
                continue
            codes = {s.code for s in funnel.stages}
            fields = tuple(dataclasses.replace(f, options=tuple(
                o if o.code in codes else dataclasses.replace(o, active=False)
                for o in f.options)) if f.code == funnel.field else f for f in entity.fields)
            entities.append(dataclasses.replace(entity, fields=fields))
        result.append(dataclasses.replace(view, entities=tuple(entities)))
    return tuple(result)


# ---- build -------------------------------------------------------------------------------

def build_funnels(parts: ConfigParts) -> tuple[Funnel, ...]:
    """The Funnel specs, sorted by name; ``parts`` must have passed ``check_funnels``."""
    return tuple(_funnel(name, part.data) for name, part in sorted(parts.funnels.items()))


def _funnel(name: str, data: dict[str, Any]) -> Funnel:
    stages = tuple(_stage(code, spec) for code, spec in data["stages"].items())
    return Funnel(
        name=name, label=Label(zh=data["zh"], en=data["en"]), entity=data["entity"],
        field=data["field"], stages=stages,
        start=tuple(data["start"]) or (stages[0].code,), amount=data["amount"],
        units=tuple(data["units"]),
    )


def _stage(code: str, spec: dict[str, Any]) -> Stage:
    moves = []
    for raw in spec["next"]:
        move = MoveSchema().load({"to": raw} if isinstance(raw, str) else raw)
        moves.append(Move(move["to"], tuple(move["roles"]), move["when"]))
    related, follows = spec["related"], spec["follows"]
    return Stage(
        code=code, probability=spec["probability"], outcome=spec["outcome"],
        stall_days=spec["stall_days"], enter=tuple(spec["enter"]),
        leave=tuple(spec["leave"]), moves=tuple(moves),
        related=Related(related["entity"], related["link"], tuple(related["fields"]))
        if related else None,
        leave_records=tuple(LeaveRecord(r["entity"], r["link"], tuple(
            (k, str(v)) for k, v in r["where"].items())) for r in spec["leave_records"]),
        follows=Follows(follows["entity"], follows["link"], follows["field"],
                        str(follows["value"]), follows["otherwise"]) if follows else None,
        on_enter=tuple(spec["on_enter"].items()),
        on_leave=tuple(spec["on_leave"].items()),
    )
