"""查重's block look-up (the first ``MOST_ROWS`` company cores of each block, by id) has
its index, (kind, block, record_id) with the key beside it on PostgreSQL: a database of
before gets it at the next start like any other schema change, and PostgreSQL answers the
look-up from it alone, without sorting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.access import Actor
from leadloom.metadata.files import read_folder
from leadloom.model import build_models, make_plan
from leadloom.model.plan import StepKind
from leadloom.records import Context
from leadloom.records.leads.duplicates import _first_of_blocks

CONFIG = Path(__file__).resolve().parents[3] / "config"
INDEX = "ix_ll_dedupe_key_kind_block_record_id"
BEFORE = "ix_ll_dedupe_key_kind_block"


def _published(url: str) -> tuple[sa.Engine, lifecycle.Published]:
    engine = sa.create_engine(url)
    return engine, lifecycle.publish(engine, read_folder(CONFIG), author="t", message="v1")


def test_a_database_with_the_index_of_before_gets_the_new_one_at_start(database_factory):
    engine, published = _published(database_factory())
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP INDEX {INDEX}"))
        conn.execute(sa.text(f"CREATE INDEX {BEFORE} ON ll_dedupe_key (kind, block)"))
    models = build_models(published.registry)
    with engine.connect() as conn:
        steps = make_plan(conn, models, previous=published.registry).steps
    assert sorted((s.kind, s.description.split(" on ")[0]) for s in steps) == [
        (StepKind.INDEX, f"create index {INDEX}"), (StepKind.INDEX, f"drop index {BEFORE}")]
    lifecycle.active_registry(engine, CONFIG)
    with engine.connect() as conn:
        assert make_plan(conn, models, previous=published.registry).steps == []
        indexes = {i["name"]: i for i in sa.inspect(conn).get_indexes("ll_dedupe_key")}
    assert BEFORE not in indexes
    assert indexes[INDEX]["column_names"][:3] == ["kind", "block", "record_id"]
    engine.dispose()


def test_postgresql_reads_the_first_cores_of_each_block_from_the_index_alone(
        database_factory):
    url = database_factory()
    if not url.startswith("postgresql"):
        pytest.skip("the plan asked about is PostgreSQL's")
    engine, published = _published(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO ll_dedupe_key (record_id, kind, key, block) "
            "SELECT n, CASE WHEN n % 2 = 0 THEN 'company_core' ELSE 'phone' END, "
            "'k' || n, 'b' || (n % 997) FROM generate_series(1, 20000) AS n"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE ll_dedupe_key"))  # as autovacuum leaves it
    models = build_models(published.registry)
    table = models.metadata.tables["ll_dedupe_key"]
    with Session(engine) as session:
        ctx = Context(Actor.system_actor(), session, models, channel="import")
        query = _first_of_blocks(ctx, table, [f"b{n}" for n in range(0, 997, 3)])
        compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
        plan = session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
    nodes = _nodes(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"])
    scans = [n for n in nodes if n.get("Relation Name") == "ll_dedupe_key"]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", INDEX)]
    assert not [n for n in nodes if n["Node Type"] == "Sort"]
    engine.dispose()


def _nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]
