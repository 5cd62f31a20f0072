"""A list's page is read from an index and stops after the page (PostgreSQL's plan, after
ANALYZE, with a few thousand leads): "contacting, last follow-up newest first", for everyone
and in one owner's scope, does not read the leads never followed up (a third of them here),
as it did while the list put empty values first going down and the indexes last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom import lifecycle
from leadloom.metadata.files import read_folder
from leadloom.model import build_models
from leadloom.model.indexes import list_order

CONFIG = Path(__file__).resolve().parents[3] / "config"
LEADS = 4_000
PAGE = 50
OWNER = 7
#: rows the page's scan may read: a few pages' worth, far below the leads never followed up
MOST_READ = 10 * PAGE


@pytest.fixture(scope="module")
def lead_table(database_factory):
    """The shipped config's lead table with ``LEADS`` rows, analyzed: a third assigned and
    never followed up (no last follow-up), the rest followed up, a third of those still
    being contacted; four owners. Planner input only, so written in one INSERT."""
    url = database_factory()
    if not url.startswith("postgresql"):
        pytest.skip("the plan asked about is PostgreSQL's")
    engine = sa.create_engine(url)
    registry = lifecycle.publish(engine, read_folder(CONFIG), author="t", message="v1").registry
    table = build_models(registry).cls("lead").__table__
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO lead (owner_id, unit, customer_name, status, last_followup_at) "
            "SELECT 4 + n % 4, 'east', 'c' || n, "
            "CASE WHEN n % 3 = 0 THEN 'assigned' WHEN n % 3 = 1 THEN 'contacting' "
            "ELSE 'lost' END, "
            "CASE WHEN n % 3 = 0 THEN NULL ELSE now() - n * interval '1 minute' END "
            f"FROM generate_series(1, {LEADS}) AS n"))
        conn.execute(sa.text("ANALYZE lead"))
    yield engine, table
    engine.dispose()


def page_plan(engine, statement):
    with engine.connect() as conn:
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        return conn.execute(sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar()


def lead_scan(node):
    """The plan node that reads the lead table."""
    if node.get("Relation Name") == "lead":
        return node
    for child in node.get("Plans", []):
        found = lead_scan(child)
        if found:
            return found
    return None


@pytest.mark.parametrize("owner", [None, OWNER])
def test_the_page_is_read_from_an_index_and_stops_after_it(lead_table, owner):
    engine, table = lead_table
    where = [table.c.status == "contacting"]
    if owner is not None:
        where.append(table.c.owner_id == owner)
    statement = (sa.select(table.c.id).where(*where)
                 .order_by(list_order(table.c.last_followup_at, descending=True),
                           list_order(table.c.id, descending=True)).limit(PAGE))
    plan = page_plan(engine, statement)
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    assert plan["Node Type"] == "Limit" and plan["Actual Rows"] == PAGE
    scan = lead_scan(plan)
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), json.dumps(plan)[:3000]
    assert scan["Index Name"] in ("ix_lead_last_followup_at",
                                  "ix_lead__owner_id__last_followup_at")
    read = scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0)
    assert read <= MOST_READ, json.dumps(plan)[:3000]
