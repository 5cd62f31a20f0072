"""Bulk actions on the records picked in a list: hand them to someone, add a tag, set an
option field, all through the write path in one batch (``records.bulk_update``). The
answer says per record what was refused and why ("已更新 8 条，2 条未更新：L-2026-0012
无权限 …"); a refused record is left as it was, the others are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from leadloom import records
from leadloom.access import rights, scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.records import RecordError, RecordInvalid
from leadloom.records.validation import current_value
from leadloom.web.actor import current_actor, request_context
from leadloom.web.labels import current_locale
from leadloom.web.language import translated
from leadloom.web.layout import SYSTEM_LABELS
from leadloom.web.state import state
from leadloom.workflow.list_choices import people, tags

#: the most records one bulk action changes
MOST = 200


@dataclass(frozen=True, slots=True)
class Choices:
    """What the reader may do to many records of a list; empty lists offer nothing."""

    owners: list[tuple[str, str]] = field(default_factory=list)
    #: (field label, [(``field:tag id``, tag name)]) per tags field
    tags: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    #: (field label, [(``field:option code``, option label)]) per option field
    options: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.owners or self.tags or self.options)


def choices(entity: Entity, view: Entity) -> Choices:
    """The bulk actions the reader's rights allow on ``view``'s fields."""
    st = state()
    actor = current_actor()
    granted = rights(st.registry, actor, entity.code)
    if not granted.allows("update"):
        return Choices()
    fixed = granted.hidden | granted.readonly
    stages = {f.field for f in st.registry.funnels if f.entity == entity.code}
    locale = current_locale()
    owners = [(str(i), n) for i, n in people(st.db.session, st.models, actor, entity.code)
              ] if entity.owned and "owner" not in fixed else []
    editable = [f for f in view.fields if f.code not in fixed and not f.system]
    tag_sets = [(f.label.get(locale), [(f"{f.code}:{i}", n) for i, n in
                                       tags(st.db.session, st.models, actor, f)])
                for f in editable if f.type is FieldType.TAGS]
    option_sets = [(f.label.get(locale), [(f"{f.code}:{o.code}", o.label.get(locale))
                                          for o in f.options if o.active])
                   for f in editable if f.type is FieldType.ENUM and f.list
                   and f.code not in stages]
    return Choices(owners, [t for t in tag_sets if t[1]], option_sets)


def run(entity: Entity, form: MultiDict[str, str]) -> tuple[str, str]:
    """Apply the form's action to its ``ids``; (flash category, message)."""
    ids = picked(form.getlist("ids"))
    change = _change(entity, form)
    if not ids or change is None:
        return "warning", translated(Message("pick the records and an action first"))
    ctx = request_context("ui")
    try:
        result = records.bulk_update(ctx, entity.code, {pk: change(pk) for pk in ids})
    except RecordError as error:  # the role may not update at all, or the batch failed
        return report(entity, ids, dict.fromkeys(ids, error))
    return report(entity, ids, {pk: o.error for pk, o in result.failed.items() if o.error})


def report(entity: Entity, ids: list[int], refused: dict[int, RecordError],
           seen: sa.ColumnElement[bool] | None = None) -> tuple[str, str]:
    """(flash category, the per-record report) of an action on ``ids``. Records are named
    if the reader sees them: in their scope, or ``seen`` (e.g. the pool)."""
    names = _names(entity, ids, seen)
    why = [f"{names.get(pk, f'#{pk}')} {_reason(entity, error)}"
           for pk, error in refused.items()]
    done = len(ids) - len(refused)
    if not refused:
        return "success", translated(Message("%(done)s updated", done=done))
    return ("warning" if done else "danger"), translated(Message(
        "%(done)s updated, %(left)s not updated: %(why)s", done=done, left=len(refused),
        why="; ".join(why)))


def picked(values: Iterable[str]) -> list[int]:
    """The record ids a form picked, once each, at most ``MOST``."""
    found = [int(v) for v in values if v.isdecimal() and len(v) < 10]
    return list(dict.fromkeys(found))[:MOST]


def _change(entity: Entity, form: MultiDict[str, str]) -> Callable[[int], dict[str, Any]] | None:
    """The values the form's action writes to one record, or None if it names none."""
    action = form.get("action", "")
    if action == "owner" and form.get("owner", "").isdecimal():
        owner = int(form["owner"])
        return lambda pk: {"owner": owner}
    code, _, value = form.get(action, "").partition(":")
    if action not in ("tag", "option") or not entity.has_field(code) or not value:
        return None
    f = entity.field(code)
    if action == "option" and f.type is FieldType.ENUM:
        return lambda pk: {code: value}
    if action == "tag" and f.type is FieldType.TAGS and value.isdecimal():
        return lambda pk: {code: sorted({*_tags_of(entity, pk, code), int(value)})}
    return None


def _tags_of(entity: Entity, pk: int, code: str) -> list[int]:
    try:
        record = records.get(request_context("ui"), entity.code, pk)
    except RecordError:
        return []  # the update refuses it with the reason
    return list(current_value(record, entity, code))


def _names(entity: Entity, ids: list[int], seen: sa.ColumnElement[bool] | None
           ) -> dict[int, str]:
    """How the report names each record the reader sees: its number, else its title."""
    st = state()
    cls = st.models.cls(entity.code)
    number = next((f for f in entity.fields if f.unique and f.system
                   and f.type is FieldType.STRING), None)
    shown = entity.field(number.code if number else entity.title_field)
    column = getattr(cls, shown.column or shown.code)
    scoped = scope_clause(st.models, current_actor(), entity.code)
    found = st.db.session.execute(sa.select(cls.id, column).where(
        cls.id.in_(ids), scoped if seen is None else sa.or_(scoped, seen)))
    return {r[0]: str(r[1] or f"#{r[0]}") for r in found}


def _label(entity: Entity, code: str) -> str:
    label = entity.field(code).label if entity.has_field(code) else SYSTEM_LABELS.get(code)
    return label.get(current_locale()) if label else code


def _reason(entity: Entity, error: RecordError) -> str:
    """Why one record was refused, in the reader's language."""
    if isinstance(error, RecordInvalid):
        return "; ".join(translated(Message(
            "%(field)s: %(value)s", field=_label(entity, code),
            value=", ".join(map(translated, messages)))) for code, messages in error.errors.items())
    if isinstance(error.message, Message) and error.status != 404:  # its number is shown
        return translated(error.message)
    return translated({403: Message("no permission"), 404: Message("not found in your scope"),
                       409: Message("changed by someone else meanwhile")}.get(
                           error.status, Message("refused")))
