"""Field rules of the write path, shared by single writes and bulk writes.

``load_input`` does what needs no database (known fields, types, read-only fields,
defaults, required, deactivated options); ``RecordChecks`` what needs it (references,
users, tags, unique values). Bulk writes batch the latter in ``records.bulk``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor, Rights, rights, scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field
from leadloom.model.tables import Models
from leadloom.records.identity_cache import by_identity
from leadloom.records.schemas import load_given

EMPTY = (None, "", [])
Errors = dict[str, list[str]]


def load_input(entity: Entity, granted: Rights, data: Mapping[str, Any],
               record: Any | None, *, union: Entity | None = None
               ) -> tuple[dict[str, Any], Errors]:
    """Typed values for ``data`` and the problems found; ``record`` is None when creating.

    ``entity`` is the view of the record's business unit; ``union`` (all units' fields)
    only makes the message for another unit's field say so.
    """
    errors: Errors = {}
    known = _known_keys(entity)
    other_units = _other_units_keys(union, entity) if union else frozenset()
    for key in data:
        if key in other_units and data[key] in EMPTY:
            continue  # clearing a field the unit does not have changes nothing
        if key in other_units and key not in granted.hidden:
            errors.setdefault(key, []).append(
                Message("'%(field)s' is not a field in this business unit", field=key))
        elif key not in known or key in granted.hidden:
            errors.setdefault(key, []).append(Message("unknown field '%(field)s'", field=key))
    values, problems = load_given(entity, {k: v for k, v in data.items() if k in known})
    for key, messages in _messages(problems).items():
        errors.setdefault(key, []).extend(messages)
    values = {k: (None if v == "" else v) for k, v in values.items() if k not in errors}
    for key in sorted(set(values) & granted.readonly):
        if record is None or current_value(record, entity, key) != values[key]:
            errors.setdefault(key, []).append(Message("read-only for your role"))
    if record is None:
        _apply_defaults(entity, values, data)
    for f in _checked_fields(entity):
        problem = None if f.code in errors else _static_problem(f, values, record, entity)
        if problem:
            errors.setdefault(f.code, []).append(problem)
    return values, errors


def _known_keys(entity: Entity) -> frozenset[str]:
    """The keys an input for ``entity`` may have: its fields, and ``owner`` if owned
    (built once per Entity object: a bulk write asks for every row)."""
    return by_identity(_KNOWN, entity, lambda: frozenset(
        {f.code for f in entity.fields} | ({"owner"} if entity.owned else set())))


def _other_units_keys(union: Entity, entity: Entity) -> frozenset[str]:
    """Fields of ``union`` (every unit's) that ``entity`` (one unit's view) lacks."""
    views: dict[int, tuple[Entity, frozenset[str]]] = by_identity(_OTHER_UNITS, union, dict)
    return by_identity(views, entity, lambda: frozenset(
        {f.code for f in union.fields} - _known_keys(entity)))


_KNOWN: dict[int, tuple[Entity, frozenset[str]]] = {}
#: by union, then by view
_OTHER_UNITS: dict[int, tuple[Entity, dict[int, tuple[Entity, frozenset[str]]]]] = {}


def _messages(raw: Any) -> Errors:
    result: Errors = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            result[key] = [_text(m) for sub in value.values() for m in
                           (sub if isinstance(sub, list) else [sub])]
        else:
            result[key] = [_text(m) for m in value]
    return result


def _text(message: Any) -> str:
    """A schema message as it is (a ``Message`` keeps its msgid), anything else as text."""
    return message if isinstance(message, str) else str(message)


def _apply_defaults(entity: Entity, values: dict[str, Any], data: Mapping[str, Any]) -> None:
    for f in entity.fields:
        if f.default is not None and values.get(f.code) in EMPTY and f.code not in data:
            values[f.code] = list(f.default) if f.type is FieldType.MULTI_ENUM else f.default


def current_value(record: Any, entity: Entity, key: str) -> Any:
    """The stored value of ``key`` in the shape the input schema produces."""
    if key == "owner":
        return record.owner_id
    return stored_value(record, entity.field(key))


def stored_value(record: Any, f: Field) -> Any:
    """``current_value`` of field ``f`` (for a loop over the fields: no look-up by code)."""
    if f.type is FieldType.TAGS:
        return sorted(t.id for t in getattr(record, f.code))
    return getattr(record, f.column)


def _checked_fields(entity: Entity) -> tuple[Field, ...]:
    """The fields ``_static_problem`` can find a problem in: required ones, and choices
    with a deactivated option (built once per Entity object)."""
    return by_identity(_CHECKED, entity, lambda: tuple(
        f for f in entity.fields if f.required or (
            f.type in (FieldType.ENUM, FieldType.MULTI_ENUM)
            and any(not o.active for o in f.options))))


_CHECKED: dict[int, tuple[Entity, tuple[Field, ...]]] = {}


def _static_problem(f: Field, values: dict[str, Any], record: Any | None,
                    entity: Entity) -> str | None:
    present = f.code in values
    value = values.get(f.code)
    if f.required and value in EMPTY and (record is None or present):
        return Message("%(field)s is required", field=f.label)
    if present and value not in EMPTY and f.type in (FieldType.ENUM, FieldType.MULTI_ENUM):
        kept = current_value(record, entity, f.code) if record is not None else None
        kept_codes = kept if isinstance(kept, list) else [kept]
        for code in value if isinstance(value, list) else [value]:
            option = f.option(code)
            if option and not option.active and code not in kept_codes:
                return Message("option '%(code)s' is no longer available", code=code)
    return None


class RecordChecks:
    """Rules that need the database, for one record."""

    def __init__(self, session: Session, models: Models, actor: Actor, entity: Entity,
                 record: Any, creating: bool) -> None:
        self.session, self.models, self.actor = session, models, actor
        self.entity, self.record, self.creating = entity, record, creating

    def problems(self, values: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """(field code, message) for every problem in ``values``."""
        for key, value in values.items():
            if value in EMPTY:
                continue
            problem = self._problem(key, value)
            if problem:
                yield key, problem

    def _problem(self, key: str, value: Any) -> str | None:
        if key == "owner":
            return None if user_exists(self.session, value) else _no_user(value)
        f = self.entity.field(key)
        if f.type is FieldType.REFERENCE:
            return None if value in visible_ids(self.session, self.models, self.actor, f.to,
                                                [value]) else self._no_such(f, value)
        if f.type is FieldType.USER:
            return None if user_exists(self.session, value) else _no_user(value)
        if f.type is FieldType.TAGS:
            return tag_problem(self.session, self.models, f, value)
        if f.unique:
            exclude = None if self.creating else self.record.id
            if taken_values(self.session, self.models, self.entity, f, [value], exclude):
                return Message("'%(value)s' is already used by another record", value=value)
        return None

    def _no_such(self, f: Field, value: Any) -> str:
        return Message("no %(entity)s #%(id)s", entity=self.models.registry.entity(f.to).label,
                       id=value)


def _no_user(user_id: int) -> str:
    return Message("no user #%(id)s", id=user_id)


def user_exists(session: Session, user_id: int) -> bool:
    return session.scalar(sa.select(User.id).where(User.id == user_id)) is not None


def visible_ids(session: Session, models: Models, actor: Actor, entity: str,
                ids: list[int]) -> set[int]:
    """Which of ``ids`` exist and, if the actor may read ``entity``, are in their scope."""
    cls = models.cls(entity)
    query = sa.select(cls.id).where(cls.id.in_(ids))
    if rights(models.registry, actor, entity).allows("read"):
        query = query.where(scope_clause(models, actor, entity))
    return set(session.scalars(query))


def tag_problem(session: Session, models: Models, f: Field, ids: list[int]) -> str | None:
    tag = models.cls("tag")
    found = {t.id: t for t in session.scalars(sa.select(tag).where(tag.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        return Message("no tag #%(id)s", id=missing[0])
    wrong = [t for t in found.values() if f.group and t.group != f.group]
    if not wrong:
        return None
    return Message("tag '%(tag)s' is not in group '%(group)s'", tag=wrong[0].name, group=f.group)


def taken_values(session: Session, models: Models, entity: Entity, f: Field,
                 values: list[Any], exclude_id: int | None = None) -> set[Any]:
    """Which of ``values`` another record of ``entity`` already holds in field ``f``."""
    cls = models.cls(entity.code)
    column = getattr(cls, f.column)
    query = sa.select(column).where(column.in_(values))
    if exclude_id is not None:
        query = query.where(cls.id != exclude_id)
    return set(session.scalars(query))
