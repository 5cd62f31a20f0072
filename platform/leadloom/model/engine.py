"""Engines, and transactions that include DDL, on SQLite too.

Every engine the project opens comes from ``create_engine``. On SQLite it gets what several
writers at once need (the embedded mode serves threads, a job thread and ``leadloom publish``
from other processes on one file):

- WAL, so readers never wait for the writer and the writer never waits for readers;
- a busy timeout, so a writer waits for the write lock instead of failing at once;
- the write lock taken *before* a transaction's first write (``BEGIN IMMEDIATE``). Python's
  sqlite3 driver would send a deferred ``BEGIN``, and a transaction that has read and then
  wants to write fails with "database is locked" at once whatever the busy timeout (SQLite
  cannot let it wait: its snapshot may be stale). Reads before the first write run on their
  own, as every statement does on PostgreSQL's READ COMMITTED.

The driver is taken out of transaction handling (the SQLAlchemy recipe for pysqlite), so DDL
is transactional too: ``atomic`` covers a schema change and its data in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

#: how long a SQLite writer waits for the write lock before "database is locked"
BUSY_TIMEOUT_MS = 30_000
#: statements that run without taking the write lock (the rest start a write transaction)
_NO_WRITE_LOCK = frozenset({"SELECT", "WITH", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "END",
                            "ROLLBACK", "VACUUM"})


def create_engine(url: str | sa.URL, *, dry_run: bool = False, **options: Any) -> sa.Engine:
    """``sqlalchemy.create_engine``, made ready for concurrent writers on SQLite.

    ``dry_run`` (``leadloom check``, which plans like ``publish --dry-run`` and rolls back):
    on SQLite, the engine leaves the file exactly as it is (no switch to WAL); it still
    waits for a busy writer.
    """
    engine = sa.create_engine(url, **options)
    if dry_run and engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect_dry_run)
        return engine
    return prepare_engine(engine)


def prepare_engine(engine: sa.Engine) -> sa.Engine:
    """Make ``engine`` (e.g. Flask-SQLAlchemy's) ready for concurrent writers on SQLite.

    Call it before the engine's first connection; other databases are left as they are.
    """
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "before_cursor_execute", _before_execute)
    return engine


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is ours, see _before_execute
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")


def _on_connect_dry_run(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _before_execute(_conn: sa.Connection, cursor: Any, statement: str, _parameters: Any,
                    context: Any, _executemany: bool) -> None:
    """Take the write lock before the first statement that is not a read."""
    driver = cursor.connection
    if not driver.in_transaction and _writes(statement, context):
        driver.execute("BEGIN IMMEDIATE")


def _writes(statement: str, context: Any) -> bool:
    if context is not None and (context.is_crud or context.isddl):
        return True  # also ``WITH ... INSERT``
    selected = getattr(getattr(context, "compiled", None), "statement", None)
    if getattr(selected, "_for_update_arg", None) is not None:
        return True  # SQLite has no row locks: FOR UPDATE takes the database's write lock
    words = statement.lstrip().split(None, 1)
    return bool(words) and words[0].upper() not in _NO_WRITE_LOCK


@contextmanager
def atomic(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in one transaction that also covers schema changes.

    On SQLite the write lock is taken at once, so what the transaction reads first (the
    active config version, the schema) cannot change under it.
    """
    with engine.connect() as conn, conn.begin():
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn
