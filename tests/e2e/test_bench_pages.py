"""bench/pages.py keeps working: its SQL capture and replay on the session's app with a
lead of rep1's, and (on PostgreSQL) its set-based multiplication of the demo."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask import Flask

from bench.pages import (
    LIST_QUERY,
    busiest_lead,
    captured,
    login,
    measure,
    multiply,
    p95,
    replay,
    short,
)
from leadloom.demo import generate_demo
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state
from tests.conftest import CONFIG, PASSWORD, SECRET
from tests.e2e.conftest import make_lead


def engine_of(app: Flask) -> sa.Engine:
    with app.app_context():
        return state().db.engine


@pytest.fixture(scope="module")
def lead(app, ids) -> int:
    return make_lead(app, ids, "rep1")[0]


def test_capture_holds_only_the_statements_run_inside_the_block(app):
    engine = engine_of(app)
    with engine.connect() as conn:
        with captured(engine) as statements:
            conn.execute(sa.text("SELECT 1"))
        conn.execute(sa.text("SELECT 2"))
    assert [s.sql for s in statements] == ["SELECT 1"]


def test_a_page_is_timed_and_its_statements_replayed(app, lead):
    engine = engine_of(app)
    times = measure(login(app, "rep1", PASSWORD), engine, f"/lead/list/?{LIST_QUERY}", 2)
    assert len(times.seconds) == 2 and all(s > 0 for s in times.seconds)
    assert len(times.replays) == 2
    assert all(len(run) == len(times.statements) for run in times.replays)
    assert any("FROM lead" in s.sql and "LIMIT" in s.sql for s in times.statements)


def test_the_record_page_replay_fetches_the_rows_the_page_read(app, lead):
    record = measure(login(app, "rep1", PASSWORD), engine_of(app), f"/lead/show/{lead}", 1)
    replayed = record.replays[0]
    lead_rows = [rows for (_, rows), s in zip(replayed, record.statements, strict=True)
                 if s.sql.lstrip().startswith("SELECT") and "FROM lead" in s.sql]
    assert lead_rows and max(lead_rows) >= 1
    assert len(record.slowest(3)) == 3


def test_the_benchmarked_record_is_one_of_the_reps_leads(app, lead):
    with app.app_context():
        st = state()
        owner = st.db.session.get(st.models.cls("lead"), busiest_lead(app, "rep1")).owner_id
        assert owner == st.appbuilder.sm.find_user(username="rep1").id


def test_a_replay_leaves_nothing_behind(app):
    engine = engine_of(app)
    tag = sa.table("tag", sa.column("id"))
    count = sa.select(sa.func.count()).select_from(tag)
    with engine.connect() as conn:
        before = conn.scalar(count)
        with captured(engine) as statements:
            conn.execute(sa.text("DELETE FROM tag"))
        conn.rollback()
    replay(engine, statements)
    with engine.connect() as conn:
        assert conn.scalar(count) == before > 0


def test_statements_are_shown_without_their_column_lists():
    sql = ("SELECT count(*) AS count_1 FROM (SELECT lead.id AS lead_id, lead.unit\n"
           "FROM lead WHERE lead.grade = %(grade)s) AS anon_1")
    assert short(sql) == ("SELECT count(*) AS count_1 FROM (SELECT … FROM lead "
                          "WHERE lead.grade = %(grade)s) AS anon_1")
    assert short("SELECT EXISTS (SELECT 1 FROM x)") == "SELECT EXISTS (SELECT … FROM x)"
    assert len(short("SELECT a FROM t WHERE " + "b = 1 AND " * 50)) == 130


def test_p95_is_the_nearest_rank():
    assert p95([float(n) for n in range(20, 0, -1)]) == 19.0
    assert p95([0.5]) == 0.5


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("LEADLOOM_TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_the_demo_is_multiplied_with_new_ids_numbers_and_history(database_factory):
    leads = 12
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory(),
                              secret_key=SECRET), testing=True)
    generate_demo(app, leads=leads, seed=7, password=PASSWORD)
    engine = engine_of(app)
    assert multiply(engine, 3 * leads - 1) == 2
    with engine.connect() as conn:
        def one(sql: str) -> int:
            return conn.scalar(sa.text(sql))

        assert one("SELECT count(DISTINCT lead_no) FROM lead") == 3 * leads
        assert one("SELECT count(*) FROM followup") == 3 * one(
            "SELECT count(*) FROM followup WHERE id <= (SELECT max(id) / 3 FROM followup)")
        assert one("SELECT count(*) FROM followup f LEFT JOIN lead l ON l.id = f.lead_id "
                   "WHERE l.id IS NULL") == 0
        assert one("SELECT count(*) FROM ll_audit a LEFT JOIN lead l ON l.id = a.record_id "
                   "WHERE a.entity = 'lead' AND l.id IS NULL") == 0
        assert one(f"SELECT count(*) FROM lead c JOIN lead b ON b.id = (c.id - 1) % {leads} + 1 "
                   "WHERE c.owner_id IS DISTINCT FROM b.owner_id") == 0
        assert one("SELECT nextval(pg_get_serial_sequence('lead', 'id'))") == 3 * leads + 1
    engine.dispose()
