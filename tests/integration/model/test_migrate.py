"""Schema evolution from config: additive changes apply with data intact; destructive refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.cli.main import cli
from leadloom.metadata import load_registry
from leadloom.model import DestructiveChange, build_models, make_plan, migrate
from leadloom.records import Context, create
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture
def config(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(CONFIG, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> None:
    replace_once(folder / file, old, new)


def snapshot(engine, table):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.fixture
def engines():
    """Engines made by a test, disposed after it (so its database can be dropped)."""
    made: list[sa.Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def seeded(config, url, engines):
    engine = sa.create_engine(url)
    engines.append(engine)
    models = build_models(load_registry(config))
    migrate(engine, models)
    with Session(engine) as session:
        ctx = Context(Actor.system_actor(), session, models, channel="test")
        source = create(ctx, "source", {"code": "WEB", "name": "官网表单"})
        for i in range(3):
            create(ctx, "lead", {"customer_name": f"客户{i}", "industry": "manufacturing",
                                 "contact_name": "张总", "source": source.id,
                                 "need_description": "CRM", "budget_min": "100000.50"})
    return engine


def test_add_field_and_entity_keep_existing_rows(config, database_factory, engines):
    engine = seeded(config, database_factory(), engines)
    before = snapshot(engine, "lead")
    edit(config, "entities/lead.yaml", "  remark:", "  wechat: {type: string, zh: 微信, "
         "en: WeChat, length: 64}\n  score: {type: integer, zh: 评分, en: Score, default: 10}\n"
         "  remark:")
    (config / "entities" / "campaign.yaml").write_text(
        "entity: campaign\nzh: 市场活动\nen: Campaign\nmenu: leads\n"
        "fields:\n  name: {type: string, zh: 名称, en: Name, required: true}\n",
        encoding="utf-8")
    models = build_models(load_registry(config))
    plan = migrate(engine, models)
    assert any("add column lead.wechat" in line for line in plan.lines())
    assert any("create table campaign" in line for line in plan.lines())
    after = snapshot(engine, "lead")
    assert [row[: len(before[0])] for row in after] == before
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT min(score) FROM lead")) == 10
    assert not migrate(engine, models)


def test_removed_field_is_retired_and_keeps_its_values(config, database_factory, engines):
    engine = seeded(config, database_factory(), engines)
    before = snapshot(engine, "lead")
    edit(config, "entities/lead.yaml", "  remark: {type: text, zh: 备注, en: Remarks, "
         "section: need}\n", "")
    outcome = migrate(engine, build_models(load_registry(config)))
    assert "retire   keep column lead.remark (removed from the config: hidden, values kept)" in (
        outcome.lines())
    assert snapshot(engine, "lead") == before


def test_narrowing_is_checked_against_the_data(config, database_factory, engines):
    engine = seeded(config, database_factory(), engines)
    edit(config, "entities/lead.yaml", "length: 200, required: true,", "length: 2, "
         "required: true,")
    with pytest.raises(DestructiveChange, match=r"3 stored value\(s\) are longer than 2"):
        migrate(engine, build_models(load_registry(config)))
    edit(config, "entities/lead.yaml", "length: 2, required: true,", "length: 30, "
         "required: true,")
    assert "narrow" in migrate(engine, build_models(load_registry(config))).lines()[0]
    with engine.connect() as conn:
        columns = {c["name"]: c for c in sa.inspect(conn).get_columns("lead")}
        assert columns["customer_name"]["type"].length == 30
        assert not make_plan(conn, build_models(load_registry(config)))
    assert len(snapshot(engine, "lead")) == 3


def test_cli_migrate_dry_run_prints_plan_and_changes_nothing(config, database_factory, engines):
    url = database_factory()
    engine = seeded(config, url, engines)
    edit(config, "entities/lead.yaml", "  remark:", "  wechat: {type: string, zh: 微信, "
         "en: WeChat}\n  remark:")
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(config), "--database-url", url, "migrate",
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "add column lead.wechat VARCHAR(255)" in result.output
    with engine.connect() as conn:
        assert "wechat" not in {c["name"] for c in sa.inspect(conn).get_columns("lead")}
    result = runner.invoke(cli, ["--config", str(config), "--database-url", url, "migrate"])
    assert result.exit_code == 0 and "published version 1" in result.output
    with engine.connect() as conn:
        assert "wechat" in {c["name"] for c in sa.inspect(conn).get_columns("lead")}
