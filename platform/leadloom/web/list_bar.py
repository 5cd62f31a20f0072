"""The filter bar of a list, generated from the Registry: one input per ``filter: true`` or
``list: true`` field (and the owner) that fits the field's type. A field added in config
appears here with no template change.

Submitting the bar is a GET of the list's address with filters by field code
(``?grade=A&owner=me&created_at=2026-11-01..2026-11-30``), the grammar of
``metadata.list_filters``: a filtered list is a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from leadloom.access import rights
from leadloom.metadata.field_types import CHOICE, NUMERIC, FieldType
from leadloom.metadata.list_filters import OWNER, TIMED, filterable
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field
from leadloom.web.actor import current_actor
from leadloom.web.labels import NO, YES, current_locale
from leadloom.web.language import translated
from leadloom.web.state import state
from leadloom.workflow.list_choices import people, referenced


@dataclass(frozen=True, slots=True)
class Control:
    """One input of the bar: ``kind`` is ``select``, ``range`` (``input`` date or number,
    two ends joined as ``FROM..TO`` on submit) or ``text`` (contains)."""

    code: str
    label: str
    kind: str
    value: str
    input: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ends(self) -> tuple[str, str]:
        """The range's two ends as the inputs show them (blank if not plain values)."""
        start, _, end = self.value.partition("..")
        return (start, end) if ".." in self.value else (self.value, self.value)


def controls(entity: Entity, view: Entity) -> list[Control]:
    """The bar's inputs for ``view`` (the reader's unit's view of ``entity``), less the
    fields hidden from the reader."""
    hidden = rights(state().registry, current_actor(), entity.code).hidden
    usable = filterable(entity)
    fields = [f for f in view.fields if (f.filter or f.list) and f.code in usable
              and f.code not in hidden]
    if entity.owned and "owner" not in hidden:
        fields.append(OWNER)
    found = [_control(entity, f) for f in fields]
    return [c for c in found if c is not None]


def _control(entity: Entity, f: Field) -> Control | None:
    label = f.label.get(current_locale())
    value = request.args.get(f.code, "").strip()
    if f.type in CHOICE:
        return Control(f.code, label, "select", value, options=[
            (o.code, o.label.get(current_locale())) for o in f.options if o.active])
    if f.type is FieldType.BOOLEAN:
        return Control(f.code, label, "select", value,
                       options=[("true", translated(YES)), ("false", translated(NO))])
    if f.type is FieldType.USER:
        return Control(f.code, label, "select", value, options=_people(entity))
    if f.type is FieldType.REFERENCE:
        st = state()
        found = referenced(st.db.session, st.models, current_actor(), f)
        return Control(f.code, label, "select", value,
                       options=[(str(i), t) for i, t in found]) if found else None
    if f.type in TIMED or f.type in NUMERIC:
        return Control(f.code, label, "range", value,
                       input="date" if f.type in TIMED else "number")
    return Control(f.code, label, "text", value)


def _people(entity: Entity) -> list[tuple[str, str]]:
    """我 / 我的团队, then the people the reader may see, by name."""
    st = state()
    actor = current_actor()
    mine = [("me", translated(Message("Me")))]
    if actor.team:
        mine.append(("my_team", translated(Message("My team"))))
    return mine + [(str(i), name) for i, name in
                   people(st.db.session, st.models, actor, entity.code)]
