"""Bulk creation through the write path: same rules as ``create``, batched for speed.

Every row is loaded and checked exactly like a single ``create`` (the database checks run
once per batch instead of once per row), stamped the same way, and inserted with one
executemany per batch. All or nothing: one bad row and no row is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from leadloom.access import on_record, rights
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.model.tables import utcnow
from leadloom.records.appends import append_rows
from leadloom.records.collector import collector_paused
from leadloom.records.errors import RecordInvalid, not_allowed
from leadloom.records.hooks import Change, hooks_for, run_after_batch, run_before_batch
from leadloom.records.service import Context, commit
from leadloom.records.validation import (
    EMPTY,
    Errors,
    load_input,
    tag_problem,
    taken_values,
    visible_ids,
)

#: Field types whose values are checked against the database (besides unique fields).
DATABASE_CHECKED = frozenset({FieldType.REFERENCE, FieldType.USER, FieldType.TAGS})
#: values per database check: with 5,000, PostgreSQL's cost model prefers scanning the
#: whole table (hashing the list) to 5,000 index probes until it holds a few hundred
#: thousand rows, so each batch cost more than the one before; with 500, from a few ten
#: thousand rows on (EXPLAIN at 7,000 leads: 5,000 ids scan, 500 probe the key)
CHECKED_AT_ONCE = 500
#: Keys only the system actor may set, to load history (e.g. demo data, migrations).
SYSTEM_KEYS = ("created_at", "updated_at")


def bulk_create(ctx: Context, entity_code: str, rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Create many records of ``entity_code``; return their ids in row order.

    :raises Forbidden: the actor may not create this entity.
    :raises RecordInvalid: keys are ``"<row index>.<field>"``; nothing was written.
    """
    with collector_paused():
        return _bulk_create(ctx, entity_code, rows)


def _bulk_create(ctx: Context, entity_code: str, rows: Iterable[Mapping[str, Any]]
                 ) -> list[int]:
    entity = ctx.registry.entity(entity_code)
    granted = rights(ctx.registry, ctx.actor, entity.code)
    if not granted.allows("create"):
        raise not_allowed("create", entity.label)
    granted = on_record(granted, ctx.actor, ctx.actor.user_id, None)  # new: theirs, no owner
    rows = [dict(row) for row in rows]
    units = _row_units(ctx, entity, rows)
    loaded: list[dict[str, Any]] = []
    stamps: list[dict[str, Any]] = []
    errors: Errors = {}
    #: each unit's view of the entity, looked up once
    views = {unit: ctx.registry.view(entity.code, unit) for unit in dict.fromkeys(units)}
    for index, (row, unit) in enumerate(zip(rows, units, strict=True)):
        stamp = {k: row.pop(k) for k in SYSTEM_KEYS if k in row and ctx.actor.system}
        stamp["unit"] = unit
        values, row_errors = load_input(views[unit], granted, row, None, union=entity)
        for field, messages in row_errors.items():
            errors[f"{index}.{field}"] = messages
        loaded.append(values)
        stamps.append(stamp)
    for index, field, message in _database_problems(ctx, entity, loaded):
        errors.setdefault(f"{index}.{field}", []).append(message)
    hooks = hooks_for(ctx.registry)
    changes = [Change(ctx, views[stamp["unit"]], None, values, creating=True,
                      at=stamp.get("created_at"))
               for values, stamp in zip(loaded, stamps, strict=True)]
    run_before_batch(hooks, changes)
    for index, change in enumerate(changes):
        for field, messages in change.errors.items():
            errors.setdefault(f"{index}.{field}", []).extend(messages)
    if errors:
        ctx.session.rollback()  # nothing a hook prepared may outlive the refusal
        raise RecordInvalid(errors)
    placed = _placed(ctx, entity, changes, stamps)
    ids = _insert(ctx, entity, changes, stamps, placed)
    if hooks:
        _after_batch(ctx, hooks, changes, ids, placed)
    commit(ctx)
    return ids


def _after_batch(ctx: Context, hooks: tuple[Any, ...], changes: list[Change],
                 ids: list[int], placed: list[dict[str, Any]]) -> None:
    """Hooks see each new row as an object with the record's attributes and its id."""
    for change, row_id, row in zip(changes, ids, placed, strict=True):
        change.record = SimpleNamespace(id=row_id, version=1, **row)
    run_after_batch(hooks, changes)


def _database_problems(ctx: Context, entity: Entity,
                       rows: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """Reference, user, tag and unique checks, one query per field for the whole batch."""
    found: list[tuple[int, str, str]] = []
    users = _existing_users(ctx, rows, entity)
    for f in entity.fields:
        if f.type not in DATABASE_CHECKED and not f.unique:
            continue
        present = [(i, r[f.code]) for i, r in enumerate(rows) if r.get(f.code) not in EMPTY]
        if not present:
            continue
        if f.type is FieldType.REFERENCE:
            ok = set().union(*(visible_ids(ctx.session, ctx.models, ctx.actor, f.to, part)
                               for part in _parts(sorted({v for _, v in present}))))
            found += [(i, f.code, f"no {f.to} #{v}") for i, v in present if v not in ok]
        elif f.type is FieldType.USER:
            found += [(i, f.code, f"no user #{v}") for i, v in present if v not in users]
        elif f.type is FieldType.TAGS:
            found += [(i, f.code, p) for i, v in present
                      for p in [tag_problem(ctx.session, ctx.models, f, v)] if p]
        elif f.unique:
            found += _unique_problems(ctx, entity, f, present)
    found += [(i, "owner", f"no user #{r['owner']}") for i, r in enumerate(rows)
              if r.get("owner") not in EMPTY and r["owner"] not in users]
    return found


def _existing_users(ctx: Context, rows: list[dict[str, Any]], entity: Entity) -> set[int]:
    wanted = {r.get("owner") for r in rows} | {
        r.get(f.code) for f in entity.fields if f.type is FieldType.USER for r in rows}
    wanted -= {None}
    if not wanted:
        return set()
    return set(ctx.session.scalars(sa.select(User.id).where(User.id.in_(wanted))))


def _unique_problems(ctx: Context, entity: Entity, f: Any,
                     present: list[tuple[int, Any]]) -> list[tuple[int, str, str]]:
    taken = set().union(*(taken_values(ctx.session, ctx.models, entity, f, part)
                          for part in _parts(sorted({v for _, v in present}))))
    seen: set[Any] = set()
    problems = []
    for i, value in present:
        if value in taken or value in seen:
            problems.append((i, f.code, f"'{value}' is already used by another record"))
        seen.add(value)
    return problems


def _parts(values: list[Any]) -> list[list[Any]]:
    """``values`` in runs of ``CHECKED_AT_ONCE``."""
    return [values[i:i + CHECKED_AT_ONCE] for i in range(0, len(values), CHECKED_AT_ONCE)]


def _row_units(ctx: Context, entity: Entity, rows: list[dict[str, Any]]) -> list[str | None]:
    """Each new row's business unit: its owner's, else the actor's (one query in all)."""
    if not entity.owned:
        return [None] * len(rows)
    owners = [_owner_id(row, ctx) for row in rows]
    org = ctx.models.org
    result = ctx.session.execute(sa.select(org.c.user_id, org.c.unit)
                                 .where(org.c.user_id.in_({o for o in owners if o})))
    units = {row.user_id: row.unit for row in result}
    return [units.get(owner) or ctx.actor.unit for owner in owners]


def _owner_id(row: dict[str, Any], ctx: Context) -> int | None:
    try:
        return int(row["owner"]) if row.get("owner") not in EMPTY else ctx.actor.user_id
    except (TypeError, ValueError):
        return ctx.actor.user_id  # the bad value is reported by validation


def _placed(ctx: Context, entity: Entity, changes: list[Change],
            stamps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each new row's owner, unit and field columns, as inserted and as hooks see them."""
    names = [f.column for f in entity.fields if f.column]
    codes = [f.code for f in entity.fields if f.column]
    rows = []
    for change, stamp in zip(changes, stamps, strict=True):
        values = change.values
        owner = (values.get("owner") or ctx.actor.user_id) if entity.owned else None
        row = {"owner_id": owner, "unit": stamp["unit"]}
        row.update(zip(names, map(values.get, codes), strict=True))
        row.update(change.columns)
        rows.append(row)
    return rows


def _insert(ctx: Context, entity: Entity, changes: list[Change], stamps: list[dict[str, Any]],
            placed: list[dict[str, Any]]) -> list[int]:
    if not placed:
        return []
    table = ctx.models.cls(entity.code).__table__
    now = utcnow()
    user = ctx.actor.user_id
    params = []
    for row, stamp in zip(placed, stamps, strict=True):
        created = stamp.get("created_at", now)
        params.append({**row, "config_version": ctx.registry.version, "created_by_id": user,
                       "updated_by_id": user, "created_at": created,
                       "updated_at": stamp.get("updated_at", created), "version": 1})
    ids = _inserted_ids(ctx, table, params)
    _insert_tags(ctx, entity, [c.values for c in changes], ids)
    return ids


def _inserted_ids(ctx: Context, table: sa.Table, params: list[dict[str, Any]]) -> list[int]:
    """Insert the rows; their ids in row order.

    PostgreSQL: the ids are drawn from the table's sequence in one statement and the rows
    copied in with them (``append_rows``; a multi-row INSERT … RETURNING of a thousand rows
    costs more to build and parse than to run, an executemany binds a statement per row).
    SQLite cannot say in which order RETURNING gives a multi-row insert's rows, so
    SQLAlchemy would insert row by row; instead one executemany, and the ids follow: the
    transaction holds SQLite's write lock from its first write, and a rowid table numbers
    new rows max(id) + 1 in insert order. Other databases: INSERT … RETURNING.
    """
    dialect = ctx.session.get_bind().dialect.name
    if dialect == "postgresql":
        ids = sorted(ctx.session.scalars(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"), {"table": table.name, "n": len(params)}))
        for row, pk in zip(params, ids, strict=True):
            row["id"] = pk
        append_rows(ctx.session, table, params)
        return ids
    if dialect == "sqlite":
        ctx.session.execute(sa.insert(table), params)
        last = ctx.session.scalar(sa.select(sa.func.max(table.c.id)))
        return list(range(last - len(params) + 1, last + 1))
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(ctx.session.scalars(statement, params))


def _insert_tags(ctx: Context, entity: Entity, rows: list[dict[str, Any]],
                 ids: list[int]) -> None:
    links: dict[str, list[dict[str, int]]] = defaultdict(list)
    for f in entity.fields:
        if f.type is not FieldType.TAGS:
            continue
        for record_id, values in zip(ids, rows, strict=True):
            links[f.code] += [{"record_id": record_id, "tag_id": t}
                              for t in values.get(f.code) or []]
    for field_code, params in links.items():
        if params:
            ctx.session.execute(sa.insert(ctx.models.tag_tables[(entity.code, field_code)]),
                                params)
