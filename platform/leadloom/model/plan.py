"""Schema plans: what the database needs to match the Registry, as data you can print.

Alembic's autogenerate compares the live database with the runtime MetaData, restricted to
the tables leadloom owns (never Flask-AppBuilder's ``ab_*``). Each difference becomes a
``Step`` marked additive (applies by itself) or destructive (refused until an explicit,
reviewed migration exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.migration import MigrationContext
from alembic.operations import ops

from leadloom.model.tables import Models


@dataclass(frozen=True, slots=True)
class Step:
    """One change to the schema, described for a person."""

    op: Any
    description: str
    destructive: bool = False
    reason: str = ""


@dataclass(slots=True)
class Plan:
    steps: list[Step] = field(default_factory=list)

    @property
    def additive(self) -> list[Step]:
        return [s for s in self.steps if not s.destructive]

    @property
    def destructive(self) -> list[Step]:
        return [s for s in self.steps if s.destructive]

    def __bool__(self) -> bool:
        return bool(self.steps)

    def lines(self) -> list[str]:
        """The plan as readable lines, one per step."""
        if not self.steps:
            return ["nothing to change: the database matches the config"]
        return [("REFUSED " if s.destructive else "") + s.description
                + (f" ({s.reason})" if s.reason else "") for s in self.steps]


def migration_context(conn: sa.Connection, models: Models) -> MigrationContext:
    managed = models.managed_tables()

    def include_name(name: str | None, type_: str, parents: dict[str, Any]) -> bool:
        return name in managed if type_ == "table" else True

    return MigrationContext.configure(conn, opts={
        "compare_type": True,
        "include_name": include_name,
        "render_as_batch": conn.dialect.name == "sqlite",
    })


def make_plan(conn: sa.Connection, models: Models) -> Plan:
    """Compare the database behind ``conn`` with ``models``."""
    upgrade = produce_migrations(migration_context(conn, models), models.metadata).upgrade_ops
    plan = Plan()
    for top in upgrade.ops:
        if isinstance(top, ops.ModifyTableOps):
            plan.steps += [_step(op, top.table_name) for op in top.ops]
        else:
            plan.steps.append(_step(top, getattr(top, "table_name", "")))
    return plan


def _step(op: Any, table: str) -> Step:
    """Describe one Alembic operation and say whether it may lose data."""
    if isinstance(op, ops.CreateTableOp):
        return Step(op, f"create table {op.table_name}")
    if isinstance(op, ops.AddColumnOp):
        return Step(op, f"add column {table}.{op.column.name} {op.column.type}")
    if isinstance(op, ops.CreateIndexOp):
        return Step(op, f"create index {op.index_name} on {op.table_name}")
    if isinstance(op, ops.DropIndexOp):
        return Step(op, f"drop index {op.index_name} on {op.table_name}")
    if isinstance(op, ops.DropColumnOp):
        return Step(op, f"drop column {table}.{op.column_name}", True,
                    "a field was removed from the config; put it back to keep its data")
    if isinstance(op, ops.DropTableOp):
        return Step(op, f"drop table {op.table_name}", True,
                    "an entity was removed from the config; put it back to keep its data")
    if isinstance(op, ops.AlterColumnOp):
        return _alter_step(op, table)
    return Step(op, f"{type(op).__name__} on {table}", True, "not an additive change")


def _alter_step(op: ops.AlterColumnOp, table: str) -> Step:
    old, new = op.existing_type, op.modify_type
    what = f"change {table}.{op.column_name}"
    if new is None:
        return Step(op, f"{what} (nullability or default)")
    description = f"{what} from {old} to {new}"
    if _widens(old, new):
        return Step(op, description)
    return Step(op, description, True, "the new type could lose or truncate values")


def _widens(old: Any, new: Any) -> bool:
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
