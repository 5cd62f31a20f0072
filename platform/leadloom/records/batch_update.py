"""Batch updates through the write path: same rules as ``update``, a few statements a batch.

For jobs and bulk actions (reclaim, re-grading, transfers), which change many records and
need to know, per record, what happened:

- one scoped SELECT reads every target (a record outside the actor's scope is
  ``not_found`` for that record, as ``update`` would answer); each row is then loaded and
  checked exactly like a single ``update`` (``service.update_change``);
- the hooks run batch-wise (``run_before_batch``); a row they refuse, or whose input is
  invalid or whose expected version is stale, is left out with its reasons — it never
  stops the others;
- the accepted rows are written with one executemany UPDATE, each conditional on the
  version it was read at (``WHERE id = :id AND version = :version``, version + 1); then
  ``run_after_batch`` and the commit (a flush when nested, like every write).

What is written is all or nothing: when a concurrent write won some rows (the UPDATE
matched fewer rows than it was given), the transaction rolls back, the rows whose version
moved are reported as ``conflict``, and the batch is redone for the others — no row is
written twice, none from a stale read. Inside another write (nested) there is no retry:
the lost race is a ``Conflict`` for the whole outer write. A database refusal (a unique
value taken meanwhile) is a ``Conflict`` for the whole batch, after a rollback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm.attributes import set_committed_value

from leadloom.access import scope_clause
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.model.columns import ID_RANGE
from leadloom.records.collector import collector_paused
from leadloom.records.errors import Conflict, RecordError, RecordInvalid, not_found
from leadloom.records.hooks import Change, hooks_for, run_after_batch, run_before_batch
from leadloom.records.service import (
    NESTED,
    Context,
    column_values,
    commit,
    lost_race,
    require,
    update_change,
    update_stamps,
    writing,
)

UPDATED, REFUSED, CONFLICT, NOT_FOUND = "updated", "refused", "conflict", "not_found"
#: ids per SELECT (SQLite's bound-parameter limit is far above it)
CHUNK = 500
#: how many times a batch is redone after losing rows to concurrent writes
RETRIES = 3


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of one record of the batch."""

    id: int
    #: ``updated``, ``refused`` (invalid input, or a hook said no), ``conflict`` (changed
    #: by someone else meanwhile, or an expected version is stale) or ``not_found``
    status: str
    #: why it was not updated: what ``update`` would have raised for this record
    error: RecordError | None = None

    @property
    def errors(self) -> dict[str, list[str]]:
        """Field code ("" for the record as a whole) → messages."""
        if self.error is None:
            return {}
        return self.error.errors or {"": [self.error.message]}


@dataclass(slots=True)
class BulkUpdateResult:
    """Per-record outcomes, in the order the changes were given."""

    outcomes: dict[int, RowOutcome] = field(default_factory=dict)

    def ids(self, status: str) -> list[int]:
        return [pk for pk, o in self.outcomes.items() if o.status == status]

    @property
    def updated(self) -> list[int]:
        return self.ids(UPDATED)

    @property
    def failed(self) -> dict[int, RowOutcome]:
        """Every record that was not updated, with why."""
        return {pk: o for pk, o in self.outcomes.items() if o.status != UPDATED}


def bulk_update(ctx: Context, entity_code: str, changes: Mapping[int, Mapping[str, Any]],
                *, meta: Mapping[int, Mapping[str, Any]] | None = None) -> BulkUpdateResult:
    """Change the fields given for each record id (other fields keep their values).

    :param meta: per record, what to add to ``ctx.meta`` for its write (e.g. a different
        ``comment`` each); the hooks see it as ``change.ctx.meta``.
    :raises Forbidden: the actor may not update this entity (nothing is read).
    :raises Conflict: the database refused the batch (nothing was written), or a race was
        lost inside another write.
    """
    entity = ctx.registry.entity(entity_code)
    require(ctx, entity, "update")
    result = BulkUpdateResult({pk: RowOutcome(pk, UPDATED) for pk in changes})
    pending = dict(changes)
    with collector_paused():
        for _ in range(RETRIES + 1):
            lost = _attempt(ctx, entity, pending, meta or {}, result)
            if not lost:
                return result
            for pk in lost:
                result.outcomes[pk] = RowOutcome(pk, CONFLICT, lost_race())
                pending.pop(pk)
            pending = {pk: pending[pk] for pk in pending
                       if result.outcomes[pk].status == UPDATED}
    raise lost_race()  # RETRIES + 1 lost races in a row


def _attempt(ctx: Context, entity: Entity, pending: dict[int, Mapping[str, Any]],
             meta: Mapping[int, Mapping[str, Any]], result: BulkUpdateResult) -> list[int]:
    """One try at the batch; the ids of the rows a concurrent write won (then nothing of
    this try is kept), else [] with everything written and committed."""
    granted = require(ctx, entity, "update")
    records = _scoped_records(ctx, entity, list(pending))
    prepared: list[Change] = []
    for pk, data in pending.items():
        record = records.get(pk)
        if record is None:
            result.outcomes[pk] = RowOutcome(pk, NOT_FOUND, not_found(entity.label, pk))
            continue
        row_ctx = dataclasses.replace(ctx, meta={**ctx.meta, **meta[pk]}) if pk in meta else ctx
        try:
            prepared.append(update_change(row_ctx, entity, granted, record, data))
        except RecordError as error:
            result.outcomes[pk] = _refusal(pk, error)
    hooks = hooks_for(ctx.registry)
    run_before_batch(hooks, prepared)
    accepted = []
    for change in prepared:
        if change.errors:
            result.outcomes[change.record.id] = RowOutcome(
                change.record.id, REFUSED, RecordInvalid(change.errors, change.entity))
        else:
            accepted.append(change)
    with writing(ctx):
        lost = _write(ctx, entity, accepted)
        if lost:
            return _lost_rows(ctx, entity, accepted)
        run_after_batch(hooks, accepted)
    commit(ctx)
    return []


def _refusal(pk: int, error: RecordError) -> RowOutcome:
    return RowOutcome(pk, CONFLICT if isinstance(error, Conflict) else REFUSED, error)


def _scoped_records(ctx: Context, entity: Entity, ids: list[int]) -> dict[int, Any]:
    """The records among ``ids`` the actor may update, as committed (fresh versions)."""
    cls = ctx.models.cls(entity.code)
    scope = scope_clause(ctx.models, ctx.actor, entity.code)
    wanted = [pk for pk in ids if ID_RANGE[0] <= pk <= ID_RANGE[1]]
    # the stored values need the tags; the users and records referred to are not read
    # unless a hook asks (joined, they cost more than the rows themselves)
    tags = [sa.orm.selectinload(getattr(cls, f.code)) for f in entity.fields
            if f.type is FieldType.TAGS]
    found: dict[int, Any] = {}
    for chunk in _chunks(wanted):
        query = (sa.select(cls).where(cls.id.in_(chunk), scope)
                 .options(sa.orm.lazyload("*"), *tags)
                 .execution_options(populate_existing=True))
        found.update((r.id, r) for r in ctx.session.scalars(query).unique())
    return found


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _write(ctx: Context, entity: Entity, changes: list[Change]) -> bool:
    """One executemany UPDATE for all ``changes``; whether some row lost its race.

    Every row sets the same columns (a statement needs one shape): a column a row does
    not change is written with its stored value. The ORM objects are then told the
    written values as committed, so the session never writes them again.
    """
    if not changes:
        return False
    table = ctx.models.cls(entity.code).__table__
    stamps = update_stamps(ctx)
    written = [column_values(change.entity, change.values) for change in changes]
    units = _owner_units(ctx, [c.values["owner"] for c in changes if "owner" in c.values])
    names = sorted({name for columns, _ in written for name in columns} | set(stamps)
                   | {"unit", "version"})
    params = []
    for change, (columns, _) in zip(changes, written, strict=True):
        record = change.record
        row = {name: getattr(record, name) for name in names} | columns | stamps
        row["version"] = record.version + 1
        if "owner" in change.values:
            row["unit"] = units.get(change.values["owner"]) or record.unit
        params.append(row | {"b_id": record.id, "b_version": record.version})
    statement = sa.update(table).where(table.c.id == sa.bindparam("b_id"),
                                       table.c.version == sa.bindparam("b_version"))
    matched = ctx.session.execute(statement, params).rowcount
    if matched != len(params):
        return True
    for change, row in zip(changes, params, strict=True):
        for name in names:
            set_committed_value(change.record, name, row[name])
    _write_tags(ctx, entity, changes, [tags for _, tags in written])
    return False


def _write_tags(ctx: Context, entity: Entity, changes: list[Change],
                tags: list[dict[str, list[int]]]) -> None:
    """Replace the tag links of the rows whose tags fields changed (a delete and an insert
    per field for the whole batch)."""
    for code in sorted({code for row in tags for code in row}):
        table = ctx.models.tag_tables[(entity.code, code)]
        rows = [(c.record, t[code]) for c, t in zip(changes, tags, strict=True) if code in t]
        for chunk in _chunks(rows):
            ctx.session.execute(sa.delete(table).where(
                table.c.record_id.in_([record.id for record, _ in chunk])))
        links = [{"record_id": record.id, "tag_id": t} for record, ids in rows for t in ids]
        if links:
            ctx.session.execute(sa.insert(table), links)
        for record, _ in rows:
            ctx.session.expire(record, [code])


def _owner_units(ctx: Context, owners: list[int | None]) -> dict[int, str | None]:
    """The business unit of each new owner (one query per chunk)."""
    org = ctx.models.org
    ids = sorted({o for o in owners if o is not None})
    found: dict[int, str | None] = {}
    for chunk in _chunks(ids):
        found.update(ctx.session.execute(sa.select(org.c.user_id, org.c.unit)
                                         .where(org.c.user_id.in_(chunk))).all())
    return found


def _lost_rows(ctx: Context, entity: Entity, changes: list[Change]) -> list[int]:
    """After a short UPDATE: roll back, and name the rows whose version moved since they
    were read (inside another write: the whole write is lost)."""
    read = {c.record.id: c.record.version for c in changes}
    ctx.session.rollback()
    if ctx.session.info.get(NESTED):
        raise lost_race()
    table = ctx.models.cls(entity.code).__table__
    now: dict[int, int] = {}
    for chunk in _chunks(list(read)):
        now.update(ctx.session.execute(sa.select(table.c.id, table.c.version)
                                       .where(table.c.id.in_(chunk))).all())
    moved = [pk for pk, version in read.items() if now.get(pk) != version]
    if not moved:  # the UPDATE missed rows none of which changed: nothing to retry safely
        raise lost_race()
    return moved
