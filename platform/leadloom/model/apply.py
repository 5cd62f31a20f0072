"""Apply a schema plan in one transaction; refuse it whole if any step is destructive."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations, ops
from flask_appbuilder.security.sqla.models import User

from leadloom.model.errors import DestructiveChange, SchemaError
from leadloom.model.plan import Plan, make_plan, migration_context
from leadloom.model.tables import Models

#: PostgreSQL advisory lock id held while the schema changes.
MIGRATION_LOCK = 0x1EAD100


def migrate(engine: sa.Engine, models: Models, *, dry_run: bool = False) -> Plan:
    """Bring the database up to ``models``: create or evolve the leadloom tables.

    :raises DestructiveChange: if the plan would drop or narrow anything; nothing is applied.
    :raises SchemaError: if the database refuses a step; the transaction rolls back.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # several web workers start at once: one migrates, the others wait, then see no-op
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        if not dry_run:
            security_tables().create_all(conn, checkfirst=True)
        plan = make_plan(conn, models)
        if plan.destructive:
            raise DestructiveChange(plan)
        if dry_run or not plan:
            return plan
        try:
            _apply(conn, models, plan)
        except sa.exc.SQLAlchemyError as exc:
            raise SchemaError(f"the database refused the change: {exc.orig or exc}") from exc
    return plan


def security_tables() -> sa.MetaData:
    """Flask-AppBuilder's user and role tables, which owner and user columns point at."""
    return User.metadata


def _apply(conn: sa.Connection, models: Models, plan: Plan) -> None:
    operations = Operations(migration_context(conn, models))
    creates = [s.op for s in plan.steps if isinstance(s.op, ops.CreateTableOp)]
    for op in _dependency_order(creates, models):
        operations.invoke(op)
    per_table: dict[str, list[Any]] = defaultdict(list)
    for step in plan.steps:
        if not isinstance(step.op, ops.CreateTableOp):
            per_table[_table_of(step.op)].append(step.op)
    sqlite = conn.dialect.name == "sqlite"
    for table, table_ops in per_table.items():
        if sqlite and any(not isinstance(o, (ops.AddColumnOp, ops.CreateIndexOp,
                                             ops.DropIndexOp)) for o in table_ops):
            with operations.batch_alter_table(table) as batch:
                for op in table_ops:
                    batch.invoke(op)
        else:
            for op in table_ops:
                operations.invoke(op)


def _table_of(op: Any) -> str:
    return str(getattr(op, "table_name", ""))


def _dependency_order(creates: list[ops.CreateTableOp], models: Models) -> list[Any]:
    """New tables in foreign-key order, so references resolve on PostgreSQL."""
    order = {t.name: i for i, t in enumerate(models.metadata.sorted_tables)}
    return sorted(creates, key=lambda op: order.get(op.table_name, 0))
