"""Schema plans: what the database needs to match the Registry, as data you can print.

Alembic's autogenerate compares the live database with the runtime MetaData, restricted to
the tables leadloom owns (never Flask-AppBuilder's ``ab_*``). Each difference becomes a
``Step`` of a kind that says what happens to existing data:

- ``add``: new table or column, a widened type: applies by itself;
- ``index``: an index created or dropped (``model.indexes``: fields flagged ``filter``,
  ``sort`` or ``index``, the scope columns): no data changes, so a drop needs no consent;
- ``storage``: a table's storage parameters (``model.storage``: fillfactor on PostgreSQL);
- ``rename``: a field with ``renamed_from``: the column is renamed, values kept;
- ``convert``: a type change with ``convert:``: values converted, the ones that do not
  convert kept in ``<column>__legacy``;
- ``narrow``: a shorter text column that every stored value still fits: applies;
- ``retire``: a field (or entity) removed from the config: hidden, column and values kept;
- ``drop``: a retired column or table removed for good: only with ``allow_destructive``;
- ``refused``: would lose data and has no safe path: the whole plan is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.migration import MigrationContext
from alembic.operations import ops

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field, Registry
from leadloom.model.indexes import key_text
from leadloom.model.storage import SetStorage, storage_changes
from leadloom.model.tables import Models

LEGACY_SUFFIX = "__legacy"
#: type changes every stored value survives unchanged (old type, new type)
SAFE_TYPE_CHANGES = frozenset({
    (FieldType.STRING, FieldType.TEXT), (FieldType.INTEGER, FieldType.DECIMAL),
    (FieldType.INTEGER, FieldType.MONEY), (FieldType.MONEY, FieldType.DECIMAL),
    (FieldType.ENUM, FieldType.STRING), (FieldType.ENUM, FieldType.TEXT),
    (FieldType.EMAIL, FieldType.STRING), (FieldType.PHONE, FieldType.STRING),
    (FieldType.EMAIL, FieldType.TEXT), (FieldType.PHONE, FieldType.TEXT),
    (FieldType.ENUM, FieldType.MULTI_ENUM),
})
NOT_CONVERTIBLE = frozenset({FieldType.REFERENCE, FieldType.USER, FieldType.TAGS})


class StepKind(StrEnum):
    ADD = "add"
    INDEX = "index"
    STORAGE = "storage"
    RENAME = "rename"
    CONVERT = "convert"
    NARROW = "narrow"
    RETIRE = "retire"
    DROP = "drop"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Step:
    """One change to the schema, described for a person."""

    kind: StepKind
    description: str
    op: Any = None
    table: str = ""
    column: str = ""
    reason: str = ""
    field: Field | None = None
    previous: Field | None = None

    def line(self) -> str:
        text = f"{self.kind.value:<8} {self.description}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass(slots=True)
class Plan:
    steps: list[Step] = field(default_factory=list)

    def of(self, *kinds: StepKind) -> list[Step]:
        return [s for s in self.steps if s.kind in kinds]

    @property
    def refused(self) -> list[Step]:
        return self.of(StepKind.REFUSED)

    @property
    def destructive(self) -> list[Step]:
        return self.of(StepKind.DROP)

    @property
    def changes(self) -> list[Step]:
        """Steps that change the database (retiring changes nothing)."""
        return [s for s in self.steps if s.kind is not StepKind.RETIRE]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def lines(self) -> list[str]:
        """The plan as readable lines, one per step."""
        if not self.steps:
            return ["nothing to change: the database matches the config"]
        return [s.line() for s in self.steps]


def migration_context(conn: sa.Connection, models: Models,
                      previous: Registry | None = None) -> MigrationContext:
    """Autogenerate limited to leadloom's tables: this build's, and the previous config's
    (so a table whose entity left the config shows up, as a retire step)."""
    managed = models.managed_tables() | (config_tables(previous) if previous else set())

    def include_name(name: str | None, type_: str, parents: dict[str, Any]) -> bool:
        return name in managed if type_ == "table" else True

    return MigrationContext.configure(conn, opts={
        "compare_type": True,
        "include_name": include_name,
        "render_as_batch": conn.dialect.name == "sqlite",
    })


def config_tables(registry: Registry) -> set[str]:
    """The entity and tag tables a registry declares."""
    return {e.table for e in registry.entities} | {
        f"{e.code}__{f.code}" for e in registry.entities for f in e.fields
        if f.type is FieldType.TAGS}


def make_plan(conn: sa.Connection, models: Models, previous: Registry | None = None,
              *, allow_destructive: bool = False) -> Plan:
    """Compare the database behind ``conn`` with ``models``.

    ``previous`` is the registry the database was last published with: it tells a type
    change (string → enum) from a mere length change, and which fields were renamed.
    """
    context = migration_context(conn, models, previous)
    upgrade = produce_migrations(context, models.metadata).upgrade_ops
    pending: list[tuple[str, Any]] = []
    for top in upgrade.ops:
        if isinstance(top, ops.ModifyTableOps):
            pending += [(top.table_name, _bare(op)) for op in top.ops]
        else:
            pending.append((getattr(top, "table_name", ""), top))
    plan = Plan()
    pending = _renames(models.registry, pending, plan)
    converted = _type_changes(conn, models.registry, previous, plan)
    added = {(t, op.column.name) for t, op in pending if isinstance(op, ops.AddColumnOp)}
    for table, op in pending:
        if isinstance(op, ops.AlterColumnOp) and (table, op.column_name) in converted:
            continue
        plan.steps.append(_on_new_column(table, op, added) or _step(conn, table, op,
                                                                     allow_destructive))
    plan.steps += [Step(StepKind.STORAGE, f"set {change.table} {_settings(change)}", change,
                        change.table, reason="room on each page for rows that are updated")
                   for change in storage_changes(conn, models.metadata)]
    return plan


def _settings(change: SetStorage) -> str:
    return ", ".join(f"{k}={v}" for k, v in change.options)


def _on_new_column(table: str, op: Any, added: set[tuple[str, str]]) -> Step | None:
    """The foreign key or unique constraint of a field being added: its column is new, so
    every stored row holds NULL and the constraint cannot break anything."""
    columns = getattr(op, "local_cols", None) or getattr(op, "columns", None) or []
    if not isinstance(op, (ops.CreateForeignKeyOp, ops.CreateUniqueConstraintOp)) or not (
            columns and all((table, c) in added for c in columns)):
        return None
    if isinstance(op, ops.CreateForeignKeyOp):
        what = f"link {table}.{', '.join(columns)} to {op.referent_table}"
    else:  # SQLite's table copy needs a name for it
        what = f"make {table}.{', '.join(columns)} unique"
        op = ops.CreateUniqueConstraintOp(op.constraint_name or f"uq_{table}_{columns[0]}",
                                          table, list(columns), schema=op.schema)
    return Step(StepKind.ADD, what, op, table, columns[0])


def _bare(op: Any) -> Any:
    """An added column without its index, foreign key and unique flag: Alembic's
    ``add_column`` would create those too, and the plan creates each with its own step
    (both together fail with "already exists")."""
    if not isinstance(op, ops.AddColumnOp):
        return op
    c = op.column
    default = c.server_default.arg if isinstance(c.server_default, sa.DefaultClause) else None
    return ops.AddColumnOp(op.table_name, sa.Column(c.name, c.type, nullable=c.nullable,
                                                    server_default=default), schema=op.schema)


def _renames(registry: Registry, pending: list[tuple[str, Any]],
             plan: Plan) -> list[tuple[str, Any]]:
    """An added column whose field says ``renamed_from`` + that dropped column = a rename."""
    added = {(t, op.column.name) for t, op in pending if isinstance(op, ops.AddColumnOp)}
    dropped = {(t, op.column_name) for t, op in pending if isinstance(op, ops.DropColumnOp)}
    paired: set[tuple[str, str]] = set()
    for entity in registry.entities:
        for f in entity.fields:
            old = _old_column(f)
            if old and (entity.table, f.column) in added and (entity.table, old) in dropped:
                plan.steps.append(Step(StepKind.RENAME, f"rename {entity.table}.{old} to "
                                       f"{f.column}", table=entity.table, column=old, field=f))
                paired |= {(entity.table, f.column), (entity.table, old)}
    return [(t, op) for t, op in pending if (t, _column_of(op)) not in paired]


def _old_column(f: Field) -> str | None:
    if not f.renamed_from:
        return None
    return f"{f.renamed_from}_id" if f.type in (FieldType.REFERENCE, FieldType.USER) else (
        f.renamed_from)


def _column_of(op: Any) -> str | None:
    if isinstance(op, ops.AddColumnOp):
        return str(op.column.name)
    if isinstance(op, ops.DropColumnOp):
        return str(op.column_name)
    return None


def _type_changes(conn: sa.Connection, registry: Registry, previous: Registry | None,
                  plan: Plan) -> set[tuple[str, str]]:
    """Fields whose type changed since ``previous``: converted, or refused without a map."""
    if previous is None:
        return set()
    handled: set[tuple[str, str]] = set()
    existing = set(sa.inspect(conn).get_table_names())
    for entity in registry.entities:
        old_entity = _entity_or_none(previous, entity.code)
        if old_entity is None or entity.table not in existing:
            continue
        for f in entity.fields:
            before = _field_or_none(old_entity, f.renamed_from or f.code)
            if before is None or before.type is f.type or f.column is None:
                continue
            if (before.type, f.type) in SAFE_TYPE_CHANGES:
                continue
            handled.add((entity.table, f.column))
            plan.steps.append(_conversion(entity, before, f))
    return handled


def _conversion(entity: Entity, before: Field, f: Field) -> Step:
    what = f"{entity.table}.{f.column} from {before.type} to {f.type}"
    if f.type in NOT_CONVERTIBLE or before.type in NOT_CONVERTIBLE:
        return Step(StepKind.REFUSED, f"change {what}", table=entity.table, column=f.column,
                    reason="values cannot be converted to or from links; add a new field",
                    field=f, previous=before)
    if f.convert is None:
        return Step(StepKind.REFUSED, f"change {what}", table=entity.table, column=f.column,
                    reason="add 'convert: {map: {old: new}}' to the field to convert values",
                    field=f, previous=before)
    return Step(StepKind.CONVERT, f"convert {what}", table=entity.table, column=f.column,
                reason=f"values that do not convert are kept in {f.column}{LEGACY_SUFFIX}",
                field=f, previous=before)


def _entity_or_none(registry: Registry, code: str) -> Entity | None:
    return next((e for e in registry.entities if e.code == code), None)


def _field_or_none(entity: Entity, code: str) -> Field | None:
    return next((f for f in entity.fields if f.code == code), None)


def _step(conn: sa.Connection, table: str, op: Any, allow_destructive: bool) -> Step:
    """Describe one Alembic operation and say what it does to existing data."""
    if isinstance(op, ops.CreateTableOp):
        return Step(StepKind.ADD, f"create table {op.table_name}", op, op.table_name)
    if isinstance(op, ops.AddColumnOp):
        return Step(StepKind.ADD, f"add column {table}.{op.column.name} {op.column.type}", op,
                    table, op.column.name)
    if isinstance(op, ops.CreateIndexOp):
        columns = ", ".join(key_text(c) for c in op.columns)
        return Step(StepKind.INDEX, f"create index {op.index_name} on {op.table_name} "
                    f"({columns})", op, op.table_name)
    if isinstance(op, ops.DropIndexOp):
        return Step(StepKind.INDEX, f"drop index {op.index_name} on {op.table_name}", op,
                    op.table_name, reason="no longer declared; no data is lost")
    if isinstance(op, ops.DropColumnOp):
        return _retire(f"column {table}.{op.column_name}", op, table, op.column_name,
                       allow_destructive)
    if isinstance(op, ops.DropTableOp):
        return _retire(f"table {op.table_name}", op, op.table_name, "", allow_destructive)
    if isinstance(op, ops.AlterColumnOp):
        return _alter_step(conn, op, table)
    return Step(StepKind.REFUSED, f"{type(op).__name__} on {table}", op, table,
                reason="not a change leadloom can make safely")


def _retire(what: str, op: Any, table: str, column: str, allow_destructive: bool) -> Step:
    if allow_destructive:
        return Step(StepKind.DROP, f"drop {what}", op, table, column,
                    reason="its values are deleted")
    reason = ("values that did not convert" if column.endswith(LEGACY_SUFFIX) else
              "removed from the config: hidden, values kept")
    return Step(StepKind.RETIRE, f"keep {what}", op, table, column, reason=reason)


def _alter_step(conn: sa.Connection, op: ops.AlterColumnOp, table: str) -> Step:
    old, new = op.existing_type, op.modify_type
    what = f"{table}.{op.column_name}"
    if new is None:
        return Step(StepKind.ADD, f"change {what} (nullability or default)", op, table,
                    op.column_name)
    description = f"change {what} from {old} to {new}"
    if widens(old, new):
        return Step(StepKind.ADD, description, op, table, op.column_name)
    if isinstance(old, sa.String) and isinstance(new, sa.String) and new.length:
        longer = conn.scalar(sa.select(sa.func.count()).select_from(sa.table(table)).where(
            sa.func.length(sa.column(op.column_name)) > new.length))
        if not longer:
            return Step(StepKind.NARROW, description, op, table, op.column_name,
                        reason="every stored value fits")
        return Step(StepKind.REFUSED, description, op, table, op.column_name,
                    reason=f"{longer} stored value(s) are longer than {new.length}")
    return Step(StepKind.REFUSED, description, op, table, op.column_name,
                reason="the new type could lose or truncate values")


def widens(old: Any, new: Any) -> bool:
    """True when every value of ``old`` fits ``new`` unchanged."""
    if isinstance(old, sa.String) and isinstance(new, sa.Text):
        return True
    if isinstance(old, sa.String) and isinstance(new, sa.String):
        return (new.length or 10**9) >= (old.length or 10**9)
    if isinstance(old, sa.Integer) and isinstance(new, (sa.BigInteger, sa.Numeric)):
        return not isinstance(new, sa.Numeric) or (new.precision or 99) - (new.scale or 0) >= 19
    if isinstance(old, sa.Numeric) and isinstance(new, sa.Numeric):
        old_int = (old.precision or 0) - (old.scale or 0)
        new_int = (new.precision or 99) - (new.scale or 0)
        return new_int >= old_int and (new.scale or 0) >= (old.scale or 0)
    return False
