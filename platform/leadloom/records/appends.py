"""Appending many rows to one table inside the write's transaction.

A batch writes tens of thousands of side rows (audit trail, history, duplicate keys) and,
on PostgreSQL, an executemany still sends and binds one statement per row: for the lead
rules that was half of a bulk create's database time. ``COPY … FROM STDIN`` streams the
rows instead, in the same transaction, with the same values an INSERT would bind (each
column's SQLAlchemy bind processing applied first). Other databases, and rows that leave
out a column with a Python-side default, use one executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def append_rows(session: Session, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (column name → value; every row has the same keys) into ``table``.

    :raises KeyError: a row lacks a column the first row has.
    """
    if not rows:
        return
    connection = session.connection()
    names = list(rows[0])
    if connection.dialect.name != "postgresql" or _defaults_left_out(table, names):
        session.execute(sa.insert(table), rows)
        return
    processors = _processors(connection.dialect, table, names)
    preparer = connection.dialect.identifier_preparer
    copy = (f"COPY {preparer.format_table(table)} "
            f"({', '.join(preparer.quote(name) for name in names)}) FROM STDIN")
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(copy) as stream:
        write = stream.write_row
        if any(processors):
            for row in rows:
                write([value if process is None else process(value) for process, value
                       in zip(processors, [row[name] for name in names], strict=True)])
        else:
            for row in rows:
                write([row[name] for name in names])


def _defaults_left_out(table: sa.Table, names: list[str]) -> bool:
    """Whether a column SQLAlchemy would fill in from Python (``default=``) is missing."""
    given = set(names)
    return any(c.default is not None and c.name not in given for c in table.columns)


def _processors(dialect: sa.Dialect, table: sa.Table, names: list[str]
                ) -> list[Callable[[Any], Any] | None]:
    """Each column's bind processing (JSON to psycopg's ``Json``, …), as an INSERT binds."""
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names]
