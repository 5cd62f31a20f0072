"""Gapless counters in ``ll_counter``: the increment is part of the caller's transaction.

The counter row is updated (and so locked) in the transaction of the record that takes the
number: a transaction that rolls back gives its number back, and concurrent writers queue
on the row — 50 parallel creates on PostgreSQL get 1..50, no gap, no duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadloom.model.leads import COUNTER_TABLE
from leadloom.model.tables import Models


def next_value(session: Session, models: Models, scope: str,
               start: Callable[[], int] = lambda: 0) -> int:
    """The next value of counter ``scope`` (1 for a new one, or ``start() + 1``).

    ``start`` is asked only when the counter does not exist yet, e.g. for the highest
    number already taken by rows loaded without the counter.
    """
    table = models.metadata.tables[COUNTER_TABLE]
    bumped = _bump(session, table, scope)
    if bumped is not None:
        return bumped
    first = start() + 1
    created = session.execute(_insert_new(session, table).values(scope=scope, value=first)
                              .returning(table.c.value)).scalar()
    if created is not None:
        return int(created)
    bumped = _bump(session, table, scope)  # another transaction created it meanwhile
    assert bumped is not None
    return bumped


def _bump(session: Session, table: sa.Table, scope: str, by: int = 1) -> int | None:
    """Add ``by`` to the counter (0: just lock and read it); None when it does not exist."""
    value = session.execute(sa.update(table).where(table.c.scope == scope)
                            .values(value=table.c.value + by).returning(table.c.value)).scalar()
    return None if value is None else int(value)


def _insert_new(session: Session, table: sa.Table) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=["scope"])


class CounterBatch:
    """Counters a batch takes many values of: each counter is read (and locked) once, the
    values are handed out in memory, and ``flush`` writes each counter's last value back —
    a few statements per counter for the whole batch, the same values as ``next_value``
    called once per row."""

    def __init__(self, session: Session, models: Models) -> None:
        self.session = session
        self.table = models.metadata.tables[COUNTER_TABLE]
        self.values: dict[str, int] = {}
        self.first: dict[str, int] = {}

    def take(self, scope: str, start: Callable[[], int] = lambda: 0) -> int:
        """The next value of ``scope``, as ``next_value`` would give it."""
        if scope not in self.values:
            current = _bump(self.session, self.table, scope, by=0)
            if current is None:
                self.session.execute(_insert_new(self.session, self.table).values(
                    scope=scope, value=start()))
                current = _bump(self.session, self.table, scope, by=0)
                assert current is not None
            self.values[scope] = self.first[scope] = current
        self.values[scope] += 1
        return self.values[scope]

    def flush(self) -> None:
        """Write the values taken (one UPDATE per counter used)."""
        for scope, value in self.values.items():
            if value != self.first[scope]:
                self.session.execute(sa.update(self.table).where(self.table.c.scope == scope)
                                     .values(value=value))
        self.first = dict(self.values)
