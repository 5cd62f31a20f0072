"""``append_rows`` (a batch's side rows and its leads): COPY on PostgreSQL, one executemany
elsewhere, and what lands in the table is what an executemany INSERT of the same rows
leaves — text that COPY must escape, JSON (and JSON null), times, money — whichever path
ran. Runs on SQLite and, with ``LEADLOOM_TEST_DATABASE_URL``, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.records.appends import append_rows

TEXTS = ["tab\there", "new\nline\r\n", "back\\slash \\N", "引号'\"", "", "\\.", "末尾 "]


def columns() -> list[sa.Column[Any]]:
    return [sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.Text),
            sa.Column("doc", sa.JSON), sa.Column("at", sa.DateTime),
            sa.Column("day", sa.Date), sa.Column("amount", sa.Numeric(14, 2)),
            sa.Column("flag", sa.Boolean), sa.Column("count", sa.BigInteger)]


@pytest.fixture
def engine(database_factory: Callable[[], str]) -> Iterator[sa.Engine]:
    made = sa.create_engine(database_factory())
    yield made
    made.dispose()


def rows() -> list[dict[str, Any]]:
    at = dt.datetime(2026, 3, 1, 9, 30, 15, 250)
    return [{"text": text, "doc": doc, "at": at + dt.timedelta(days=i),
             "day": (at + dt.timedelta(days=i)).date(), "amount": Decimal(f"{i}.05"),
             "flag": i % 2 == 0, "count": 2 ** 40 + i}
            for i, (text, doc) in enumerate(zip(
                [*TEXTS, None], [{"名": "值", "n": [1, None]}, None, [], {"t": "a\tb"},
                                 "text", 0, {"nested": {"x": "\\"}}, None], strict=True))]


def read(session: Session, table: sa.Table) -> list[tuple[Any, ...]]:
    return [tuple(r)[1:] for r in session.execute(sa.select(table).order_by(table.c.id))]


def test_appended_rows_read_back_as_inserted_rows(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    copied = sa.Table("appends_copied", meta, *columns())
    inserted = sa.Table("appends_inserted", meta, *columns())
    meta.create_all(engine)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    with Session(engine) as session:
        append_rows(session, copied, rows())
        written = len(statements)
        session.execute(sa.insert(inserted), rows())
        session.commit()
        assert read(session, copied) == read(session, inserted)
        # JSON null and SQL NULL read back alike: compare which one each path stored
        assert [session.scalar(sa.select(sa.func.count()).where(t.c.doc.is_(None)))
                for t in (copied, inserted)] == [0, 0]
        assert len(read(session, copied)) == len(TEXTS) + 1
    # PostgreSQL: streamed by COPY, not one statement per row (nor one executemany)
    assert written == (0 if engine.dialect.name == "postgresql" else 1)


def test_a_left_out_python_default_is_filled_in_as_by_an_insert(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    table = sa.Table("appends_defaulted", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("text", sa.Text), sa.Column("kind", sa.Text, default="plain"))
    meta.create_all(engine)
    with Session(engine) as session:
        append_rows(session, table, [{"text": "a"}, {"text": "b"}])
        append_rows(session, table, [])
        session.commit()
        assert read(session, table) == [("a", "plain"), ("b", "plain")]
