"""The project's SQLite engines: WAL and a busy timeout on every connection; a transaction
that has read waits for the write lock instead of failing; DDL is transactional; a read-only
engine leaves the file as it is."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.model import atomic, create_engine
from leadloom.model.engine import BUSY_TIMEOUT_MS


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine
    engine.dispose()


def _hold_write_lock(engine: sa.Engine, seconds: float) -> threading.Thread:
    """Another connection writes and commits only after ``seconds``."""
    holder = engine.connect()
    transaction = holder.begin()
    holder.exec_driver_sql("INSERT INTO t VALUES (1)")

    def release() -> None:
        time.sleep(seconds)
        transaction.commit()
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_every_connection_is_wal_with_a_busy_timeout(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == BUSY_TIMEOUT_MS


def test_a_transaction_that_has_read_waits_for_the_writer(engine):
    holder = _hold_write_lock(engine, 0.5)
    started = time.monotonic()
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")  # no "database is locked"
    holder.join()
    assert time.monotonic() - started >= 0.4
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2


def test_atomic_waits_for_the_writer_and_rolls_ddl_back(engine):
    holder = _hold_write_lock(engine, 0.5)
    with pytest.raises(RuntimeError), atomic(engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t")
        conn.exec_driver_sql("CREATE TABLE half_done (y INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
        raise RuntimeError("a later step failed")
    holder.join()
    tables = sa.inspect(engine).get_table_names()
    assert "half_done" not in tables
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]


def test_a_dry_run_engine_leaves_the_file_as_it_is(tmp_path):
    path = tmp_path / "plain.db"
    plain = sa.create_engine(f"sqlite:///{path}")
    with plain.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    plain.dispose()
    before = path.read_bytes()
    reader = create_engine(f"sqlite:///{path}", dry_run=True)
    with reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() != "wal"
    reader.dispose()
    assert path.read_bytes() == before


def test_the_web_apps_own_engine_is_prepared(app):
    with app.app_context():
        web_engine = app.extensions["leadloom"].db.engine
    if web_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with web_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_select_for_update_takes_the_write_lock(engine):
    table = sa.table("t", sa.column("x"))
    with Session(engine) as session, session.begin():
        session.execute(sa.select(table))
        assert not session.connection().connection.driver_connection.in_transaction
        session.execute(sa.select(table).with_for_update())
        assert session.connection().connection.driver_connection.in_transaction
