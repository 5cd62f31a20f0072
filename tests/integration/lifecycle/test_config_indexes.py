"""Indexes declared by config (``filter``/``sort``/``index`` flags, scope columns) and
table storage: created and dropped by publishing like any other change (SQLite and PG)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from leadloom import lifecycle
from leadloom.cli.main import cli
from leadloom.metadata.files import read_folder
from leadloom.model import build_models, migrate
from leadloom.model.storage import FILLFACTOR
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"
LEAD = "entities/lead.yaml"
CITY = "  city: {type: string, zh: 城市, en: City, length: 32, search: true, section: basic}\n"
CITY_SORTED = CITY.replace("search: true,", "search: true, sort: true,")


@pytest.fixture
def world(tmp_path, database_factory):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    url = database_factory()
    engine = sa.create_engine(url)
    lifecycle.publish(engine, read_folder(config), author="t", message="v1")
    yield engine, config, url
    engine.dispose()


def indexes(engine, table="lead"):
    with engine.connect() as conn:
        return {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes(table)}


def publish(engine, config, **kwargs):
    return lifecycle.publish(engine, read_folder(config), author="t", message="m", **kwargs)


def test_the_shipped_lists_filter_and_sort_on_indexes(world):
    engine, _, _ = world
    found = indexes(engine)
    for name in ("ix_lead_grade", "ix_lead_status", "ix_lead_stage", "ix_lead_source_id",
                 "ix_lead_next_followup_due_at", "ix_lead_first_touch_due_at"):
        assert name in found
    assert found["ix_lead__owner_id__next_followup_due_at"] == [
        "owner_id", "next_followup_due_at", "id"]
    assert found["ix_lead__unit__id"] == ["unit", "id"]
    assert found["ix_lead__owner_id__status"] == ["owner_id", "status"]  # every list's count
    assert indexes(engine, "task")["ix_task__assignee_id__due_at"] == [
        "assignee_id", "due_at", "id"]


def test_the_indexes_keep_empty_values_first_as_the_lists_order_them(world):
    """A list orders empty values as the smallest (``model.indexes.list_order``); on
    PostgreSQL, whose default puts them last, the index says so (SQLite's puts them first)."""
    engine, _, _ = world
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's indexes keep empty values first by themselves")
    with engine.connect() as conn:
        found = {i["name"]: i.get("column_sorting", {})
                 for i in sa.inspect(conn).get_indexes("lead")}
    assert found["ix_lead_last_followup_at"] == {"last_followup_at": ("nulls_first",)}
    assert found["ix_lead__owner_id__last_followup_at"] == {
        "last_followup_at": ("nulls_first",)}
    assert found["ix_lead__unit__id"] == {}  # ids are never empty


def test_an_index_of_before_is_replaced_by_the_plan(world):
    """A database whose indexes were made before they kept empty values first and the id
    (the ordering of a list): publishing re-creates them, and then has nothing to do."""
    engine, config, _ = world
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_lead__owner_id__last_followup_at"))
        conn.execute(sa.text("CREATE INDEX ix_lead__owner_id__last_followup_at "
                             "ON lead (owner_id, last_followup_at)"))
    registry = lifecycle.active_registry(engine, config, upgrade=False)
    planned = migrate(engine, build_models(registry), previous=registry, dry_run=True).lines()
    assert ("index    create index ix_lead__owner_id__last_followup_at on lead "
            "(owner_id, last_followup_at nulls first, id)") in planned
    registry = lifecycle.active_registry(engine, config)
    assert indexes(engine)["ix_lead__owner_id__last_followup_at"] == [
        "owner_id", "last_followup_at", "id"]
    assert not migrate(engine, build_models(registry), previous=registry, dry_run=True)


def test_flagging_a_field_creates_its_index_and_unflagging_drops_it(world):
    engine, config, _ = world
    replace_once(config / LEAD, CITY, CITY_SORTED)
    planned = publish(engine, config, dry_run=True).lines()
    assert "index    create index ix_lead_city on lead (city nulls first)" in planned
    assert ("index    create index ix_lead__owner_id__city on lead "
            "(owner_id, city nulls first, id)") in planned
    assert "ix_lead_city" not in indexes(engine)  # a dry run changes nothing
    publish(engine, config)
    assert indexes(engine)["ix_lead__unit__city"] == ["unit", "city", "id"]
    replace_once(config / LEAD, CITY_SORTED, CITY)
    planned = publish(engine, config, dry_run=True).lines()
    assert ("index    drop index ix_lead_city on lead (no longer declared; no data is lost)"
            in planned)
    publish(engine, config)  # no --allow-destructive needed
    assert not {"ix_lead_city", "ix_lead__owner_id__city"} & set(indexes(engine))


def test_the_dry_runs_of_the_command_line_show_the_index_steps(world):
    engine, config, url = world
    replace_once(config / LEAD, CITY, CITY_SORTED)
    for command in ("publish", "migrate"):
        result = CliRunner().invoke(cli, ["--config", str(config), "--database-url", url,
                                          command, "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "index    create index ix_lead_city on lead (city nulls first)" in result.output
    assert "ix_lead_city" not in indexes(engine)


def test_a_database_without_the_indexes_gets_them_on_start(world):
    """A database made before the indexes were derived: the start-up upgrade adds them."""
    engine, config, _ = world
    with engine.begin() as conn:
        for name in ("ix_lead_grade", "ix_lead__owner_id__id"):
            conn.execute(sa.text(f"DROP INDEX {name}"))
    registry = lifecycle.active_registry(engine, config)
    assert {"ix_lead_grade", "ix_lead__owner_id__id"} <= set(indexes(engine))
    assert not migrate(engine, build_models(registry), previous=registry, dry_run=True)


def reloptions(engine, table):
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT reloptions FROM pg_class WHERE relname = :t"),
                           {"t": table}) or []


def test_updated_tables_leave_room_on_each_page(world):
    engine, config, _ = world
    if engine.dialect.name != "postgresql":
        pytest.skip("fillfactor is a PostgreSQL storage parameter")
    assert reloptions(engine, "lead") == [f"fillfactor={FILLFACTOR['lead']}"]
    assert reloptions(engine, "task") == [f"fillfactor={FILLFACTOR['task']}"]
    assert reloptions(engine, "contract") == []
    with engine.begin() as conn:  # a table made before fillfactor was declared
        conn.execute(sa.text("ALTER TABLE lead RESET (fillfactor)"))
    registry = lifecycle.active_registry(engine, config, upgrade=False)
    lines = migrate(engine, build_models(registry), previous=registry, dry_run=True).lines()
    assert (f"storage  set lead fillfactor={FILLFACTOR['lead']} "
            "(room on each page for rows that are updated)") in lines
    lifecycle.active_registry(engine, config)
    assert reloptions(engine, "lead") == [f"fillfactor={FILLFACTOR['lead']}"]
