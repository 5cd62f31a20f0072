"""Stages of a funnel: which funnel a record follows, what kind of move a move is, and
what a stage needs before a record may enter or leave it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.metadata.funnels import Funnel, LeaveRecord, Stage, funnel_for
from leadloom.metadata.messages import Message, joined, listed
from leadloom.metadata.registry import Entity, Label, Registry
from leadloom.model.tables import Models

EMPTY: tuple[Any, ...] = (None, "", [])


def funnel_of(registry: Registry, entity: str, unit: str | None) -> Funnel | None:
    """The funnel records of ``entity`` in business unit ``unit`` move through."""
    return funnel_for(registry.funnels, entity, unit)


def current_stage(funnel: Funnel, value: Any) -> Stage:
    """The stage a stored value stands for; a record without one is in the first stage."""
    return funnel.stage(value) or funnel.stages[0]


def move_kind(funnel: Funnel, source: Stage, target: Stage) -> str:
    """``next`` (declared), ``skip`` (forward past stages) or ``back`` (to an earlier one)."""
    if source.move(target.code) is not None:
        return "next"
    return "skip" if funnel.index(target.code) > funnel.index(source.code) else "back"


def passed(funnel: Funnel, source: Stage, target: Stage) -> tuple[Stage, ...]:
    """The stages a forward skip jumps over."""
    low, high = funnel.index(source.code), funnel.index(target.code)
    return tuple(s for s in funnel.stages[low + 1:high] if not s.closed) if high > low else ()


def stage_label(entity: Entity, funnel: Funnel, code: str | None, locale: str) -> str:
    """A stage's label as the record's unit names it (the stage field's option)."""
    if code is None:
        return ""
    option = entity.field(funnel.field).option(code) if entity.has_field(funnel.field) \
        else None
    return option.label.get(locale) if option else code


@dataclass(frozen=True, slots=True)
class Missing:
    """Fields a move still needs: to leave the stage it leaves, and to enter the target."""

    leave: tuple[str, ...] = ()
    enter: tuple[str, ...] = ()
    related: Message | None = None
    #: a skip: the fields of the stages it jumps over count as the move's own
    skip: bool = False

    def __bool__(self) -> bool:
        return bool(self.leave or self.enter or self.related)

    def message(self, entity: Entity, funnel: Funnel, source: Stage,
                target: Stage) -> Message:
        """``完成谈判推进需填写: 预计金额、预计成交日期``, one sentence per problem."""
        parts = []
        if self.skip and (self.leave or self.enter):
            names = field_names(entity, (*self.leave, *self.enter))
            parts.append(Message("To skip to %(stage)s, fill in: %(fields)s", fields=names,
                                 stage=stage_name(entity, funnel, target.code)))
        elif self.leave:
            parts.append(Message("To complete %(stage)s, fill in: %(fields)s",
                                 fields=field_names(entity, self.leave),
                                 stage=stage_name(entity, funnel, source.code)))
        entering = tuple(c for c in self.enter if c not in self.leave)
        if entering and not self.skip:
            parts.append(Message("To enter %(stage)s, fill in: %(fields)s",
                                 fields=field_names(entity, entering),
                                 stage=stage_name(entity, funnel, target.code)))
        if self.related:
            parts.append(self.related)
        return joined(parts)


def field_name(entity: Entity, code: str) -> Label:
    """A field's label in both languages (its code when the unit lacks it)."""
    return entity.field(code).label if entity.has_field(code) else Label(code, code)


def field_names(entity: Entity, codes: tuple[str, ...]) -> Label:
    """Several fields' labels as one, each once."""
    return listed([field_name(entity, c) for c in dict.fromkeys(codes)])


def stage_name(entity: Entity, funnel: Funnel, code: str) -> Label:
    """A stage's label in both languages, as the record's unit names it."""
    return Label(stage_label(entity, funnel, code, "zh"), stage_label(entity, funnel, code, "en"))


def missing_fields(entity: Entity, codes: tuple[str, ...],
                   values: Mapping[str, Any]) -> tuple[str, ...]:
    """Which of ``codes`` are empty in ``values`` (fields the unit lacks are skipped)."""
    return tuple(dict.fromkeys(c for c in codes if entity.has_field(c)
                               and values.get(c) in EMPTY))


def requirements(funnel: Funnel, source: Stage | None, target: Stage,
                 kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields to leave, fields to enter) for a move: a skip also needs what the stages it
    jumps over need; going back, or closing the record (lost), needs only what the target
    needs to enter."""
    leave: list[str] = []
    if source is not None and kind != "back" and not source.closed and not (
            target.closed and target.outcome != "won"):
        leave += source.leave
        if kind == "skip":
            for stage in passed(funnel, source, target):
                leave += [*stage.enter, *stage.leave]
    return tuple(dict.fromkeys(leave)), target.enter


def related_problem(session: Session, models: Models, entity: Entity, funnel: Funnel,
                    target: Stage, record_id: int | None) -> Message | None:
    """Why the record lacks the linked record ``target`` needs (e.g. a contract), or None."""
    need = target.related
    if need is None:
        return None
    linked = models.registry.entity(need.entity)
    found = False
    if record_id is not None:
        cls = models.cls(need.entity)
        link = getattr(cls, linked.field(need.link).column)
        query = sa.select(cls.id).where(link == record_id)
        for code in need.fields:
            query = query.where(getattr(cls, linked.field(code).column).is_not(None))
        found = session.scalar(query.limit(1)) is not None
    if found:
        return None
    return Message("To enter %(stage)s, add a %(entity)s (%(fields)s)",
                   stage=stage_name(entity, funnel, target.code),
                   entity=Label(linked.label.zh, linked.label.en.lower()),
                   fields=field_names(linked, need.fields))


def leave_problem(session: Session, models: Models, entity: Entity, funnel: Funnel,
                  source: Stage | None, target: Stage, kind: str, record_id: int | None
                  ) -> Message | None:
    """Which records the stages a move leaves still need (``leave_records``: a follow-up of
    kind demo, a contract), as one message, or None. Going back or closing the record (lost)
    needs none, as for ``requirements``; a skip needs those of the stages it jumps over."""
    if source is None or kind == "back" or source.closed or (
            target.closed and target.outcome != "won"):
        return None
    left = (source, *passed(funnel, source, target)) if kind == "skip" else (source,)
    found = [Message("To complete %(stage)s, add a %(entity)s%(condition)s",
                     stage=stage_name(entity, funnel, stage.code),
                     entity=Label(models.registry.entity(need.entity).label.zh,
                                  models.registry.entity(need.entity).label.en.lower()),
                     condition=_condition(models, need))
             for stage in left for need in stage.leave_records
             if not _exists(session, models, need, record_id)]
    return joined(found) if found else None


def _exists(session: Session, models: Models, need: LeaveRecord, record_id: int | None
            ) -> bool:
    if record_id is None:
        return False
    linked = models.registry.entity(need.entity)
    cls = models.cls(need.entity)
    query = sa.select(cls.id).where(getattr(cls, linked.field(need.link).column) == record_id)
    for code, value in need.where:
        query = query.where(getattr(cls, linked.field(code).column) == value)
    return session.scalar(query.limit(1)) is not None


def _condition(models: Models, need: LeaveRecord) -> Label:
    """`` (跟进类型: 产品演示)``: what the linked record must hold, empty for any."""
    linked = models.registry.entity(need.entity)
    parts = []
    for code, value in need.where:
        f = linked.field(code)
        option = f.option(value) if f.options else None
        shown = option.label if option else Label(value, value)
        parts.append(Label(f"{f.label.zh}：{shown.zh}", f"{f.label.en}: {shown.en}"))
    if not parts:
        return Label("", "")
    both = listed(parts)
    return Label(f"（{both.zh}）", f" ({both.en})")
