"""Transactions that include DDL, on SQLite too.

Python's sqlite3 driver runs DDL outside any transaction by default, so a failed publish
could leave half a schema change behind. ``atomic`` takes the driver out of transaction
handling for one connection and emits BEGIN itself, so DDL and data commit (or roll back)
together; PostgreSQL needs nothing special.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def atomic(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in one transaction that also covers schema changes."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                yield conn
            return
        driver = conn.connection.driver_connection
        before = driver.isolation_level
        driver.isolation_level = None
        try:
            with conn.begin():
                conn.exec_driver_sql("BEGIN")
                yield conn
        finally:
            driver.isolation_level = before
