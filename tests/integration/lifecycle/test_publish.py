"""Publishing config versions: every change kind keeps every stored value (SQLite and PG)."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.access import Actor
from leadloom.lifecycle import store
from leadloom.metadata import ConfigInvalid
from leadloom.metadata.files import read_folder
from leadloom.model import DestructiveChange, build_models
from leadloom.records import Context, create
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"
LEAD = "entities/lead.yaml"
REMARK = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"
CITY = "  city: {type: string, zh: 城市, en: City, length: 32, search: true, section: basic}\n"


@pytest.fixture
def world(tmp_path, database_factory):
    """A published default config with a few leads, and a copy of the config to edit."""
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    engine = sa.create_engine(database_factory())
    published = lifecycle.publish(engine, read_folder(config), author="t", message="v1")
    models = build_models(published.registry)
    with Session(engine) as session:
        ctx = Context(Actor.system_actor(), session, models, channel="test")
        web = create(ctx, "source", {"code": "WEB", "name": "官网表单"})
        for i, city in enumerate(["上海", "杭州", "苏州", "南京", None]):
            create(ctx, "lead", {"customer_name": f"客户{i}", "industry": "manufacturing",
                                 "contact_name": "张总", "source": web.id, "city": city,
                                 "need_description": "CRM", "remark": f"备注{i}",
                                 "budget_min": f"{i}00000.50"})
    yield engine, config
    engine.dispose()


def republish(engine, config, message="change", **kwargs):
    return lifecycle.publish(engine, read_folder(config), author="t", message=message,
                             **kwargs)


def rows(engine, table="lead", columns=None):
    with engine.connect() as conn:
        names = columns or [c["name"] for c in sa.inspect(conn).get_columns(table)]
        query = sa.text(f"SELECT {', '.join(names)} FROM {table} ORDER BY id")
        return [tuple(r) for r in conn.execute(query)]


def checksum(engine, columns):
    """A digest of the given lead columns over all rows: equal means nothing changed."""
    return hashlib.sha256(repr(rows(engine, "lead", columns)).encode()).hexdigest()


BASE = ["id", "customer_name", "city", "remark", "budget_min", "industry", "version"]


def test_add_field_and_entity(world):
    engine, config = world
    before = checksum(engine, BASE)
    replace_once(config / LEAD, REMARK, REMARK + "  wechat: {type: string, zh: 微信, "
                 "en: WeChat}\n")
    (config / "entities" / "campaign.yaml").write_text(
        "entity: campaign\nzh: 市场活动\nen: Campaign\nmenu: leads\n"
        "fields:\n  name: {type: string, zh: 名称, en: Name, required: true}\n",
        encoding="utf-8")
    done = republish(engine, config)
    assert done.version == 2
    assert "add      add column lead.wechat VARCHAR(255)" in done.lines()
    assert "add      create table campaign" in done.lines()
    assert checksum(engine, BASE) == before


def test_retire_then_restore_keeps_values(world):
    engine, config = world
    before = checksum(engine, BASE)
    replace_once(config / LEAD, REMARK, "")
    done = republish(engine, config)
    assert any(line.startswith("retire   keep column lead.remark") for line in done.lines())
    assert checksum(engine, BASE) == before
    (config / LEAD).write_text((CONFIG / LEAD).read_text(encoding="utf-8"), encoding="utf-8")
    restored = republish(engine, config, "restore")
    assert restored.version == 3
    assert checksum(engine, BASE) == before
    assert rows(engine, "lead", ["remark"])[0] == ("备注0",)


def test_rename_keeps_values(world):
    engine, config = world
    before = rows(engine, "lead", ["id", "remark"])
    replace_once(config / LEAD, "  remark: {type: text,", "  notes: {renamed_from: remark, "
                 "type: text,")
    done = republish(engine, config)
    assert "rename   rename lead.remark to notes" in done.lines()
    assert rows(engine, "lead", ["id", "notes"]) == before
    with engine.connect() as conn:
        assert "remark" not in {c["name"] for c in sa.inspect(conn).get_columns("lead")}


def test_type_change_needs_a_mapping_and_keeps_what_does_not_convert(world):
    engine, config = world
    before = rows(engine, "lead", ["id", "city"])
    as_enum = ("  city: {type: enum, zh: 城市, en: City, section: basic, options: "
               "[{code: sh, zh: 上海, en: Shanghai}, {code: hz, zh: 杭州, en: Hangzhou}]")
    replace_once(config / LEAD, CITY, as_enum + "}\n")
    with pytest.raises(DestructiveChange, match="convert"):
        republish(engine, config)
    assert rows(engine, "lead", ["id", "city"]) == before
    replace_once(config / LEAD, as_enum + "}", as_enum + ", convert: {map: {上海: sh, 杭州: hz}}}")
    done = republish(engine, config)
    assert "convert  convert lead.city from string to enum" in done.lines()[0]
    after = rows(engine, "lead", ["id", "city", "city__legacy"])
    assert after == [(1, "sh", None), (2, "hz", None), (3, None, "苏州"), (4, None, "南京"),
                     (5, None, None)]
    assert "lead.city: 2 value(s) converted; 2 kept in city__legacy (records #3, #4)" in (
        done.lines())


def test_narrowing_that_would_truncate_is_refused(world):
    engine, config = world
    replace_once(config / LEAD, "length: 200, required: true,", "length: 2, required: true,")
    with pytest.raises(DestructiveChange, match=r"5 stored value\(s\) are longer than 2"):
        republish(engine, config)
    (config / LEAD).write_text((CONFIG / LEAD).read_text(encoding="utf-8").replace(
        "length: 200, required: true,", "length: 20, required: true,"), encoding="utf-8")
    assert republish(engine, config).version == 2


def test_option_relabel_and_deactivate_keep_codes(world):
    engine, config = world
    before = checksum(engine, BASE)
    options = config / "options.yaml"
    replace_once(options, "{code: manufacturing, zh: 制造业, en: Manufacturing}",
                 "{code: manufacturing, zh: 制造与加工, en: Manufacturing & processing, "
                 "active: false}")
    done = republish(engine, config)
    assert done.version == 2 and not done.outcome.plan
    assert checksum(engine, BASE) == before
    industry = done.registry.entity("lead").field("industry").option("manufacturing")
    assert industry.label.zh == "制造与加工" and not industry.active


def test_unit_only_field_is_a_nullable_column(world):
    engine, config = world
    before = checksum(engine, BASE)
    replace_once(config / "units" / "west.yaml", "teams:", "entities:\n  lead:\n    fields:\n"
                 "      west_code: {type: string, zh: 西区编码, en: West code}\nteams:")
    done = republish(engine, config)
    assert "add      add column lead.west_code VARCHAR(255)" in done.lines()
    assert checksum(engine, BASE) == before


def test_invalid_config_applies_nothing(world):
    engine, config = world
    replace_once(config / LEAD, REMARK, REMARK + "  wechat: {type: string, zh: 微信, "
                 "en: WeChat}\n")
    replace_once(config / "entities" / "task.yaml", "type: datetime,", "type: datetme,")
    with pytest.raises(ConfigInvalid):
        republish(engine, config)
    with engine.connect() as conn:
        assert store.latest_number(conn) == 1
        assert "wechat" not in {c["name"] for c in sa.inspect(conn).get_columns("lead")}


def test_crash_mid_publish_leaves_previous_version_and_schema(world, monkeypatch):
    engine, config = world
    replace_once(config / LEAD, REMARK, REMARK + "  wechat: {type: string, zh: 微信, "
                 "en: WeChat}\n")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "add", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        republish(engine, config)
    with engine.connect() as conn:
        assert store.latest_number(conn) == 1
        assert "wechat" not in {c["name"] for c in sa.inspect(conn).get_columns("lead")}
    monkeypatch.undo()
    assert republish(engine, config).version == 2


def test_rollback_publishes_old_content_and_drop_needs_permission(world):
    engine, config = world
    replace_once(config / LEAD, REMARK, REMARK + "  wechat: {type: string, zh: 微信, "
                 "en: WeChat}\n")
    republish(engine, config)
    back = lifecycle.rollback(engine, 1, author="t")
    assert back.version == 3
    assert any("keep column lead.wechat" in line for line in back.lines())
    with engine.connect() as conn:
        assert store.get_version(conn).files.texts == store.get_version(conn, 1).files.texts
    with pytest.raises(lifecycle.NothingToPublish):
        lifecycle.publish(engine, store_files(engine, 1), author="t", message="same")
    dropped = lifecycle.publish(engine, store_files(engine, 1), author="t", message="drop",
                                allow_destructive=True)
    assert any(line.startswith("drop     drop column lead.wechat") for line in dropped.lines())
    with engine.connect() as conn:
        assert "wechat" not in {c["name"] for c in sa.inspect(conn).get_columns("lead")}


def store_files(engine, number):
    with engine.connect() as conn:
        return store.get_version(conn, number).files


def test_concurrent_publishes_apply_once(world):
    engine, config = world
    replace_once(config / LEAD, REMARK, REMARK + "  wechat: {type: string, zh: 微信, "
                 "en: WeChat}\n")
    outcomes: list[object] = []

    def run():
        try:
            outcomes.append(republish(engine, config).version)
        except Exception as exc:  # the loser: nothing to publish, or a lost race
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes))[0] == "2"
    assert outcomes.count(2) == 1
    with engine.connect() as conn:
        assert store.latest_number(conn) == 2


def test_indexed_reference_and_unique_fields_join_a_table_with_rows(world):
    """Alembic's add_column would also create the column's index, link and unique
    constraint, which the plan creates on their own: each once, values kept."""
    engine, config = world
    before = checksum(engine, BASE)
    replace_once(config / LEAD, REMARK, REMARK
                 + "  wechat: {type: string, zh: 微信, en: WeChat, index: true}\n"
                 "  referrer: {type: reference, to: source, zh: 推荐来源, en: Referrer}\n"
                 "  tax_no: {type: string, zh: 税号, en: Tax no., length: 20, unique: true}\n")
    done = republish(engine, config)
    assert {"add      link lead.referrer_id to source", "add      make lead.tax_no unique",
            "index    create index ix_lead_wechat on lead (wechat nulls first)"
            } <= set(done.lines())
    assert checksum(engine, BASE) == before
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert "ix_lead_wechat" in {i["name"] for i in inspector.get_indexes("lead")}
        assert ["referrer_id"] in [k["constrained_columns"]
                                   for k in inspector.get_foreign_keys("lead")]
        assert ["tax_no"] in [u["column_names"] for u in inspector.get_unique_constraints("lead")]
    replace_once(config / LEAD, "en: Tax no., length: 20,", "en: Tax no, length: 20,")
    again = republish(engine, config, "relabel only")
    assert not again.outcome.plan, again.lines()
