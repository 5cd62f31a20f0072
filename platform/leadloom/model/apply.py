"""Apply a schema plan in one transaction; refuse it whole if any step is refused.

Order: renames and conversions first (they move data between columns), then a fresh plan
for what remains (new tables, columns, indexes; retired columns dropped only when allowed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations, ops
from flask_appbuilder.security.sqla.models import User

from leadloom.metadata.registry import Registry
from leadloom.model.convert import Conversion, convert_column, drop_column, rename_column
from leadloom.model.engine import atomic
from leadloom.model.errors import DestructiveChange, SchemaError
from leadloom.model.plan import Plan, Step, StepKind, make_plan, migration_context
from leadloom.model.tables import Models

#: PostgreSQL advisory lock id held while the schema changes.
MIGRATION_LOCK = 0x1EAD100
#: steps that write through Alembic operations in the second phase
ALEMBIC_KINDS = (StepKind.ADD, StepKind.INDEX, StepKind.NARROW, StepKind.DROP)


@dataclass(slots=True)
class Outcome:
    """What a migration did: the plan it followed and each conversion's figures."""

    plan: Plan
    conversions: list[Conversion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.plan)

    def lines(self) -> list[str]:
        return self.plan.lines() + [c.line() for c in self.conversions]


def security_tables() -> sa.MetaData:
    """Flask-AppBuilder's user and role tables, which owner and user columns point at."""
    return User.metadata


def lock_schema(conn: sa.Connection) -> None:
    """Serialise schema changes: several processes may start or publish at once."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def migrate(engine: sa.Engine, models: Models, *, previous: Registry | None = None,
            dry_run: bool = False, allow_destructive: bool = False) -> Outcome:
    """Bring the database up to ``models``: create or evolve the leadloom tables.

    :raises DestructiveChange: a step would lose data; nothing is applied.
    :raises SchemaError: the database refused a step; the transaction rolls back.
    """
    with atomic(engine) as conn:
        lock_schema(conn)
        if not dry_run:
            security_tables().create_all(conn, checkfirst=True)
        return migrate_on(conn, models, previous=previous, dry_run=dry_run,
                          allow_destructive=allow_destructive)


def migrate_on(conn: sa.Connection, models: Models, *, previous: Registry | None = None,
               dry_run: bool = False, allow_destructive: bool = False) -> Outcome:
    """``migrate`` inside the caller's transaction (publishing adds its version row)."""
    plan = make_plan(conn, models, previous, allow_destructive=allow_destructive)
    if plan.refused:
        raise DestructiveChange(plan)
    outcome = Outcome(plan)
    if dry_run or not plan:
        return outcome
    try:
        operations = Operations(migration_context(conn, models, previous))
        for step in plan.of(StepKind.RENAME):
            rename_column(conn, step.table, step.column, str(step.field.column))
        for step in plan.of(StepKind.CONVERT):
            outcome.conversions.append(convert_column(conn, operations, step))
        # planned again after renames and conversions, which change what is left to do
        rest = make_plan(conn, models, previous, allow_destructive=allow_destructive) if (
            plan.of(StepKind.RENAME, StepKind.CONVERT)) else plan
        _apply(conn, operations, models, rest.of(*ALEMBIC_KINDS))
        for step in rest.of(StepKind.STORAGE):
            conn.execute(sa.text(step.op.sql()))
    except sa.exc.SQLAlchemyError as exc:
        raise SchemaError(f"the database refused the change: {exc.orig or exc}") from exc
    return outcome


def _apply(conn: sa.Connection, operations: Operations, models: Models,
           steps: list[Step]) -> None:
    creates = [s.op for s in steps if isinstance(s.op, ops.CreateTableOp)]
    for op in _dependency_order(creates, models):
        operations.invoke(op)
    per_table: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        if not isinstance(step.op, ops.CreateTableOp):
            per_table[step.table].append(step)
    sqlite = conn.dialect.name == "sqlite"
    for table, table_steps in per_table.items():
        for step in [s for s in table_steps if isinstance(s.op, ops.DropColumnOp)]:
            drop_column(conn, operations, table, step.column)
        rest = [s.op for s in table_steps if not isinstance(s.op, ops.DropColumnOp)]
        if sqlite and any(not isinstance(o, (ops.AddColumnOp, ops.CreateIndexOp,
                                             ops.DropIndexOp, ops.DropTableOp)) for o in rest):
            with operations.batch_alter_table(table) as batch:
                for op in rest:
                    batch.invoke(op)
        else:
            for op in rest:
                operations.invoke(op)


def _dependency_order(creates: list[ops.CreateTableOp], models: Models) -> list[Any]:
    """New tables in foreign-key order, so references resolve on PostgreSQL."""
    order = {t.name: i for i, t in enumerate(models.metadata.sorted_tables)}
    return sorted(creates, key=lambda op: order.get(op.table_name, 0))
