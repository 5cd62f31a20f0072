"""How many rows a list has: exact up to a limit, the planner's estimate beyond it.

Counting every matching row costs a scan of them all, however small the page; past a few
thousand nobody needs the last digit. So a count first reads at most ``limit + 1`` rows
(``SELECT count(*) FROM (SELECT 1 ... LIMIT limit + 1)``): at or under the limit that is
the exact count, which is why a home-page number (always exact) and the list behind it
agree whenever the list is short enough to check. Above it PostgreSQL's planner estimate
for the same scoped, filtered query is returned, marked ``EstimatedCount``. SQLite has no
usable estimate: its counts stay exact.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement, Executable


class EstimatedCount(int):
    """A row count the planner estimated (above the exact-count limit); still an int, so
    clients that read a count as a number keep working."""


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <statement>`` with the statement's own parameters."""

    inherit_cache = False

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def count_rows(session: Session, statement: sa.Select[Any], limit: int) -> int:
    """The number of rows ``statement`` returns: exact up to ``limit``, above it an
    ``EstimatedCount`` on PostgreSQL (never less than ``limit + 1``)."""
    statement = statement.order_by(None)
    if statement._distinct:  # the selected columns decide which rows are the same
        rows = statement
    else:
        rows = statement.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    postgresql = session.get_bind().dialect.name == "postgresql"
    bounded = rows.limit(limit + 1) if postgresql else rows
    found = session.scalar(sa.select(sa.func.count()).select_from(bounded.subquery()))
    if found <= limit or not postgresql:
        return int(found)
    return EstimatedCount(max(planned_rows(session, rows), limit + 1))


def planned_rows(session: Session, statement: sa.Select[Any]) -> int:
    """PostgreSQL's estimate of how many rows ``statement`` returns."""
    plan = session.scalar(Explain(statement))
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
