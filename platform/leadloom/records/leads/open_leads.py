"""The reads every periodic lead job shares: each unit's rules, the open owned leads, when
a lead last saw activity and its values as the rules' conditions see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from leadloom.metadata.lead_rules import LeadRules
from leadloom.records.service import Context


def unit_rules(ctx: Context, unit: str | None) -> LeadRules:
    """The lead rules of business unit ``unit`` (the base rules for None)."""
    assert ctx.registry.lead_rules is not None
    return ctx.registry.lead_rules.for_unit(unit)


def all_rules(ctx: Context) -> list[tuple[str | None, LeadRules]]:
    """(unit, rules) of the base rules and of every unit with rules of its own."""
    rules = ctx.registry.lead_rules
    assert rules is not None
    return [(None, rules.base), *rules.units]


def open_leads(ctx: Context, *where: Any, columns: Iterable[str] | None = None
               ) -> Iterator[Any]:
    """Open, owned leads (each by its unit's open statuses), oldest first; ``columns``: read
    only these (with id, owner, unit and status), not the whole row."""
    table = ctx.models.cls("lead").__table__
    statuses = {s for _, r in all_rules(ctx) for s in r.open_statuses}
    read = [table] if columns is None else [table.c[name] for name in sorted(
        {"id", "owner_id", "unit", "status", *columns})]
    query = sa.select(*read).where(table.c.owner_id.is_not(None), table.c.status.in_(statuses),
                                   *where).order_by(table.c.id)
    for row in ctx.session.execute(query):
        if row.status in unit_rules(ctx, row.unit).open_statuses:
            yield row


def activity(row: Any) -> dt.datetime:
    """When something last happened to the lead: a follow-up, its assignment, its creation."""
    return row.last_followup_at or row.assigned_at or row.created_at


def idle_clause(ctx: Context, now: dt.datetime, days: int) -> Any:
    """The SQL test for leads idle ``days`` or more, so a job reads only those (a day's
    margin: the rules count local calendar days, the database compares UTC times)."""
    table = ctx.models.cls("lead").__table__
    last_activity = sa.func.coalesce(table.c.last_followup_at, table.c.assigned_at,
                                     table.c.created_at)
    return last_activity <= now - max(days - 1, 0) * dt.timedelta(days=1)


def field_columns(ctx: Context) -> list[tuple[str, str]]:
    """(field code, column) of the lead's stored fields, for ``row_values``."""
    return [(f.code, f.column) for f in ctx.registry.entity("lead").fields if f.column]


def row_values(columns: list[tuple[str, str]], row: Any) -> dict[str, Any]:
    """A lead row's values by field code (and ``owner``, ``unit``, ``created_at``)."""
    mapping = row._mapping
    values = {code: mapping[column] for code, column in columns}
    return {**values, "owner": row.owner_id, "unit": row.unit, "created_at": row.created_at}
