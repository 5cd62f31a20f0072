"""The one write path: every change to a record, from any channel, goes through here.

Order of work for each write: the access check, loading and validating every field (all
problems collected into one ``RecordInvalid``), stamping owner/unit/audit columns, and a
single-transaction save with optimistic locking.

Concurrent writes to one record: an update or delete loads the record as committed,
checking its ``Precondition`` (e.g. still unowned, for a claim) in the same SELECT, and
the UPDATE is conditional on the version it read (``WHERE id = ? AND version = ?``,
rowcount checked). So of two racing writes exactly one wins and the other is refused
with ``Conflict`` (409): whether the loser's SELECT already sees the winner's commit, its
UPDATE matches no row, or the database reports a deadlock or serialization failure —
never a server error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from leadloom.access import Actor, Rights, on_record, rights, scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Registry
from leadloom.model.columns import ID_RANGE
from leadloom.model.tables import Models, utcnow
from leadloom.records.errors import Conflict, RecordInvalid, not_allowed, not_found
from leadloom.records.hooks import Change, RecordHook, hooks_for, run_after, run_before
from leadloom.records.intake import DEFAULTS, INTAKE, keep_as_given
from leadloom.records.validation import EMPTY, RecordChecks, load_input, stored_value


@dataclass(frozen=True, slots=True)
class Context:
    """Who writes, through which channel, with which session and models."""

    actor: Actor
    session: Session
    models: Models
    channel: str = "api"
    #: what the caller tells the hooks about this write (``comment``: why; ``approval``: the
    #: approved request being applied) and what hooks report back (``notices``)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def registry(self) -> Registry:
        return self.models.registry


@dataclass(frozen=True, slots=True)
class Precondition:
    """What a record must still be when it is written (e.g. unowned, for a claim): checked
    when the write loads the record, whose version the UPDATE then requires, so a race
    lost at either point ends with ``Conflict(refusal)``."""

    where: sa.ColumnElement[bool]
    refusal: str


def create(ctx: Context, entity_code: str, data: Mapping[str, Any]) -> Any:
    """Create a record of ``entity_code`` from raw input ``data``.

    :raises Forbidden: the actor may not create this entity.
    :raises RecordInvalid: with every field problem at once.
    :raises Conflict: the database refused the row (e.g. a unique value taken meanwhile).
    """
    entity = ctx.registry.entity(entity_code)
    granted = on_record(require(ctx, entity, "create"), ctx.actor, ctx.actor.user_id, None)
    unit = unit_for_new(ctx, entity, data)
    view = ctx.registry.view(entity.code, unit)
    record = ctx.models.cls(entity.code)()
    values = _validated(ctx, view, granted, data, record, creating=True)
    change = Change(ctx, view, record, values, creating=True)
    hooks = _before(ctx, change)
    _assign(ctx, view, record, change.values)
    _stamp_created(ctx, entity, record, change.values, unit)
    ctx.session.add(record)
    _after(ctx, hooks, change)
    return record


def update(ctx: Context, entity_code: str, pk: int, data: Mapping[str, Any],
           expected_version: int | None = None,
           precondition: Precondition | None = None) -> Any:
    """Change the fields in ``data`` of record ``pk``; other fields keep their values.

    :raises NotFound: no such record in the actor's scope.
    :raises Conflict: ``expected_version`` (or a ``version`` key in ``data``) is stale,
        ``precondition`` no longer holds, or a concurrent write won.
    """
    entity = ctx.registry.entity(entity_code)
    granted = require(ctx, entity, "update")
    try:
        with conflicts(ctx):
            return _update(ctx, entity, granted, pk, data, expected_version, precondition)
    except LostRace as lost:
        if precondition is None:
            raise
        raise Conflict(precondition.refusal, lost.errors) from lost


def _update(ctx: Context, entity: Entity, granted: Rights, pk: int, data: Mapping[str, Any],
            expected_version: int | None, precondition: Precondition | None) -> Any:
    record = _scoped_record(ctx, entity, pk, fresh=True, precondition=precondition)
    change = update_change(ctx, entity, granted, record, data, expected_version)
    hooks = _before(ctx, change)
    _assign(ctx, change.entity, record, change.values)
    for name, value in update_stamps(ctx).items():
        setattr(record, name, value)
    if "owner" in change.values:
        record.unit = _unit_of(ctx, change.values["owner"]) or record.unit
    _after(ctx, hooks, change)
    return record


def update_change(ctx: Context, entity: Entity, granted: Rights, record: Any,
                  data: Mapping[str, Any], expected_version: int | None = None) -> Change:
    """The ``Change`` an update of the loaded ``record`` with raw ``data`` makes, before the
    hooks: the version check, every field loaded and checked, the stored values. Shared by
    ``update`` and ``bulk_update``, so both refuse the same input the same way.

    :raises Conflict: the expected version (argument or ``version`` key) is stale.
    :raises RecordInvalid: with every field problem at once.
    """
    data = dict(data)
    version = data.pop("version", None)
    expected = expected_version if expected_version is not None else version
    if expected not in EMPTY and int(expected) != record.version:
        raise Conflict(Message("this record was changed by someone else (now version "
                               "%(now)s, you edited version %(edited)s); reload it",
                               now=record.version, edited=expected))
    view = ctx.registry.view(entity.code, record.unit)
    granted = on_record(granted, ctx.actor, record.created_by_id, record.owner_id)
    values = _validated(ctx, view, granted, data, record, creating=False)
    return Change(ctx, view, record, values, before=stored_values(view, record))


def update_stamps(ctx: Context) -> dict[str, Any]:
    """The columns every update sets besides its values (the version aside)."""
    return {"updated_at": utcnow(), "updated_by_id": ctx.actor.user_id,
            "config_version": ctx.registry.version}


def delete(ctx: Context, entity_code: str, pk: int) -> None:
    """Delete record ``pk``.

    :raises Conflict: other records still refer to it.
    """
    entity = ctx.registry.entity(entity_code)
    require(ctx, entity, "delete")
    with conflicts(ctx):
        record = _scoped_record(ctx, entity, pk, fresh=True)
        view = ctx.registry.view(entity.code, record.unit)
        change = Change(ctx, view, record, {}, before=stored_values(view, record),
                        deleting=True)
        hooks = _before(ctx, change)
        ctx.session.delete(record)
        _after(ctx, hooks, change)


def get(ctx: Context, entity_code: str, pk: int) -> Any:
    """Record ``pk`` if the actor may read it, else ``NotFound``."""
    entity = ctx.registry.entity(entity_code)
    require(ctx, entity, "read")
    return _scoped_record(ctx, entity, pk)


def scoped_select(ctx: Context, entity_code: str) -> sa.Select[Any]:
    """A SELECT of the records of ``entity_code`` the actor may list."""
    entity = ctx.registry.entity(entity_code)
    require(ctx, entity, "list")
    cls = ctx.models.cls(entity.code)
    return sa.select(cls).where(scope_clause(ctx.models, ctx.actor, entity.code))


def _before(ctx: Context, change: Change) -> tuple[RecordHook, ...]:
    """Run the hooks' ``before_save``; their problems end the write with a RecordInvalid."""
    hooks = hooks_for(ctx.registry)
    run_before(hooks, change)
    if change.errors:
        ctx.session.rollback()
        raise RecordInvalid(change.errors, change.entity)
    return hooks


def _after(ctx: Context, hooks: tuple[RecordHook, ...], change: Change) -> None:
    """Write the row, let the hooks write theirs in the same transaction, and commit."""
    with writing(ctx):
        ctx.session.flush()
        run_after(hooks, change)
    commit(ctx)


@contextmanager
def writing(ctx: Context) -> Iterator[None]:
    """The write itself: a lost race is a ``Conflict`` (``conflicts``), and any other
    failure rolls back what was flushed before it goes on up."""
    try:
        with conflicts(ctx):
            yield
    except Conflict:
        raise
    except Exception:
        ctx.session.rollback()
        raise


def stored_values(entity: Entity, record: Any) -> dict[str, Any]:
    """The record's current values by field code, in the shape the input schema gives."""
    return {f.code: stored_value(record, f) for f in entity.fields} | (
        {"owner": record.owner_id} if entity.owned else {})


def require(ctx: Context, entity: Entity, operation: str) -> Rights:
    """The actor's rights on ``entity``, if they allow ``operation``; else ``Forbidden``."""
    granted = rights(ctx.registry, ctx.actor, entity.code)
    if not granted.allows(operation):
        raise not_allowed(operation, entity.label)
    return granted


def _scoped_record(ctx: Context, entity: Entity, pk: int, *, fresh: bool = False,
                   precondition: Precondition | None = None) -> Any:
    """Record ``pk`` in the actor's scope; ``fresh``: with the attributes (and version)
    the SELECT read, even if the session held an older copy of it."""
    cls = ctx.models.cls(entity.code)
    scoped = sa.select(cls).where(cls.id == pk,
                                  scope_clause(ctx.models, ctx.actor, entity.code))
    if not ID_RANGE[0] <= pk <= ID_RANGE[1]:  # beyond it the database refuses the query
        raise not_found(entity.label, pk)
    query = scoped if precondition is None else scoped.where(precondition.where)
    if fresh:
        query = query.execution_options(populate_existing=True)
    record = ctx.session.scalars(query).unique().first()
    if record is not None:
        return record
    if precondition is not None and ctx.session.scalar(
            sa.select(sa.exists(scoped.with_only_columns(cls.id)))):
        raise Conflict(precondition.refusal)
    raise not_found(entity.label, pk)


def _validated(ctx: Context, entity: Entity, granted: Rights, data: Mapping[str, Any],
               record: Any, *, creating: bool) -> dict[str, Any]:
    """Load ``data`` and run every field rule; raise one RecordInvalid with all problems.

    The intake channel keeps values that fail a field rule instead (``records.intake``).
    """
    union = ctx.registry.entity(entity.code)
    kept: dict[str, Any] = {}
    if ctx.channel == INTAKE:
        data, kept = keep_as_given(entity, data, ctx.meta.get(DEFAULTS, {}),
                                   ctx.registry.app.default_locale)
    values, errors = load_input(entity, granted, data, None if creating else record,
                                union=union)
    values.update(kept)
    checks = RecordChecks(ctx.session, ctx.models, ctx.actor, entity, record, creating)
    for code, problem in checks.problems(values):
        errors.setdefault(code, []).append(problem)
    if errors:
        raise RecordInvalid(errors, entity)
    return values


def _assign(ctx: Context, entity: Entity, record: Any, values: dict[str, Any]) -> None:
    columns, tag_ids = column_values(entity, values)
    for name, value in columns.items():
        setattr(record, name, value)
    tag = ctx.models.cls("tag")
    for code, ids in tag_ids.items():
        tags = ctx.session.scalars(sa.select(tag).where(tag.id.in_(ids))).all()
        setattr(record, code, list(tags))


def column_values(entity: Entity, values: Mapping[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Validated ``values`` as (column name → value, tags field code → tag ids)."""
    columns: dict[str, Any] = {}
    tags: dict[str, list[int]] = {}
    for key, value in values.items():
        if key == "owner":
            columns["owner_id"] = value
            continue
        f = entity.field(key)
        if f.type is FieldType.TAGS:
            tags[f.code] = list(value or [])
        else:
            columns[f.column] = value
    return columns, tags


def _stamp_created(ctx: Context, entity: Entity, record: Any, values: dict[str, Any],
                   unit: str | None) -> None:
    now = utcnow()
    record.created_at = record.updated_at = now
    record.created_by_id = record.updated_by_id = ctx.actor.user_id
    record.config_version = ctx.registry.version
    if entity.owned:
        record.owner_id = values.get("owner") or ctx.actor.user_id
        record.unit = unit


def unit_for_new(ctx: Context, entity: Entity, data: Mapping[str, Any]) -> str | None:
    """The business unit a new record will belong to: its owner's, else the actor's."""
    if not entity.owned:
        return None
    try:
        owner = int(data["owner"]) if data.get("owner") not in EMPTY else ctx.actor.user_id
    except (TypeError, ValueError):
        owner = ctx.actor.user_id  # the bad value is reported by validation
    if not ID_RANGE[0] <= (owner or 0) <= ID_RANGE[1]:
        owner = ctx.actor.user_id  # so is a number no user id can be
    return _unit_of(ctx, owner) or ctx.actor.unit


def _unit_of(ctx: Context, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    org = ctx.models.org
    return ctx.session.scalar(sa.select(org.c.unit).where(org.c.user_id == user_id))


#: ``session.info`` key set while hooks write other records inside a write: those writes
#: only flush, and the outermost write commits everything in one transaction
NESTED = "leadloom.nested"


def commit(ctx: Context) -> None:
    """Commit the write; stale versions and integrity refusals become ``Conflict``."""
    with conflicts(ctx):
        if ctx.session.info.get(NESTED):
            ctx.session.flush()
            return
        ctx.session.commit()


#: PostgreSQL's SQLSTATEs for a transaction that lost a race: serialization failure,
#: deadlock detected, lock not available
LOST_RACE = frozenset({"40001", "40P01", "55P03"})


@contextmanager
def conflicts(ctx: Context) -> Iterator[None]:
    """Stale versions, integrity refusals and lost lock races become ``Conflict`` wherever
    they surface (an autoflush included), after a rollback: a failed flush leaves the
    session unusable until it rolls back."""
    try:
        yield
    except (StaleDataError, sa.exc.IntegrityError) as exc:
        ctx.session.rollback()
        raise _conflict(exc) from exc
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in LOST_RACE:
            raise
        ctx.session.rollback()
        raise _conflict(exc) from exc


class LostRace(Conflict):
    """A concurrent write to the record committed first."""


def _conflict(exc: Exception) -> Conflict:
    if isinstance(exc, sa.exc.IntegrityError):
        return Conflict(_integrity_refusal(exc))
    return lost_race()


def lost_race() -> LostRace:
    return LostRace(Message("this record was changed by someone else meanwhile; reload it"))


def _integrity_refusal(exc: sa.exc.IntegrityError) -> Message:
    text = str(exc.orig).lower()
    if "foreign key" in text:
        return Message("the database refused the change: other records still refer to this one")
    if "unique" in text or "duplicate" in text:
        return Message("the database refused the change: a unique value is already taken")
    return Message("the database refused the change: %(reason)s",
                   reason=str(exc.orig).splitlines()[0])
