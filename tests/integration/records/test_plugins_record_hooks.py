"""A plugin's record hook runs inside the one write path and its transaction: what it
writes commits with the record, and its exception rolls the record back, for single and
bulk writes alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.records import Context, bulk_create, create, transition
from tests.plugins_configs import plugin_config, write_plugin

MANIFEST = """name: stamper
version: "0.1"
provides: {record_hooks: [stamper]}  # and an after_transition hook
config:
  type: object
  properties: {prefix: {type: string}}
"""
CODE = '''
from leadloom.plugins import hookimpl
from leadloom.records import RecordHook, create


class Stamper(RecordHook):
    def __init__(self, prefix):
        self.prefix = prefix

    def before_save(self, change):
        if change.entity.code == "account" and change.creating:
            change.values["registered_address"] = self.prefix + change.values["name"]

    def after_save(self, change):
        if change.entity.code != "account":
            return
        create(change.ctx, "source", {"code": "S" + str(change.record.id),
                                      "name": self.prefix + change.values["name"]})
        if "爆炸" in change.values["name"]:
            raise RuntimeError("the stamp machine broke")


@hookimpl
def leadloom_record_hooks(registry, settings):
    return [Stamper(settings["prefix"])]


@hookimpl
def leadloom_after_transition(change, to):
    create(change.ctx, "source", {"code": "T" + str(change.record.id),
                                  "name": "moved to " + to})
    if change.record.customer_name == "不许动":
        raise RuntimeError("this lead stays where it is")
'''


@pytest.fixture
def world(tmp_path, database_factory, monkeypatch):
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(tmp_path / "plugins"))
    write_plugin(tmp_path / "plugins", "stamper", MANIFEST, CODE)
    config = plugin_config(tmp_path, ["stamper"], {"stamper": {"prefix": "印-"}},
                           examples=False)
    models = build_models(load_registry(config))
    engine = sa.create_engine(database_factory())
    migrate(engine, models)
    with Session(engine) as session:
        yield Context(Actor.system_actor(), session, models, channel="test"), engine
    engine.dispose()


def account(name):
    return {"name": name, "industry": "manufacturing", "account_type": "prospect"}


def stored(engine, models, entity, column, value):
    cls = models.cls(entity)
    with Session(engine) as fresh:
        return fresh.scalars(sa.select(cls).where(getattr(cls, column) == value)).all()


def test_a_plugin_hook_writes_with_the_record(world):
    ctx, engine = world
    record = create(ctx, "account", account("甲公司"))
    assert record.registered_address == "印-甲公司"
    assert len(stored(engine, ctx.models, "account", "name", "甲公司")) == 1
    assert len(stored(engine, ctx.models, "source", "name", "印-甲公司")) == 1


def test_a_plugin_hook_that_raises_rolls_a_single_write_back(world):
    ctx, engine = world
    with pytest.raises(RuntimeError, match="stamp machine"):
        create(ctx, "account", account("爆炸公司"))
    ctx.session.rollback()
    assert stored(engine, ctx.models, "account", "name", "爆炸公司") == []
    assert stored(engine, ctx.models, "source", "name", "印-爆炸公司") == []


def test_a_plugin_hook_that_raises_rolls_a_bulk_write_back(world):
    ctx, engine = world
    with pytest.raises(RuntimeError, match="stamp machine"):
        bulk_create(ctx, "account", [account("乙公司"), account("爆炸二厂")])
    ctx.session.rollback()
    for name in ("乙公司", "爆炸二厂"):
        assert stored(engine, ctx.models, "account", "name", name) == []
        assert stored(engine, ctx.models, "source", "name", "印-" + name) == []


def test_bulk_writes_run_the_plugin_hook_per_row(world):
    ctx, engine = world
    bulk_create(ctx, "account", [account("丙公司"), account("丁公司")])
    ctx.session.commit()
    for name in ("丙公司", "丁公司"):
        [row] = stored(engine, ctx.models, "account", "name", name)
        assert row.registered_address == "印-" + name
        assert len(stored(engine, ctx.models, "source", "name", "印-" + name)) == 1


def lead(ctx, name):
    source = create(ctx, "source", {"code": "WEB", "name": "官网表单"}).id
    return create(ctx, "lead", {"customer_name": name, "industry": "trade",
                                "contact_name": "张", "source": source,
                                "need_description": "x"})


def test_a_transition_hook_runs_in_the_move_and_its_exception_undoes_it(world):
    ctx, engine = world
    moved = lead(ctx, "可以动")
    transition(ctx, "lead", moved.id, "discovery")
    assert len(stored(engine, ctx.models, "source", "code", f"T{moved.id}")) == 1
    [row] = stored(engine, ctx.models, "lead", "id", moved.id)
    assert row.stage == "discovery"
    kept = create(ctx, "lead", {"customer_name": "不许动", "industry": "trade",
                                "contact_name": "李", "source": moved.source_id,
                                "need_description": "y"})
    with pytest.raises(RuntimeError, match="stays where it is"):
        transition(ctx, "lead", kept.id, "discovery")
    ctx.session.rollback()
    [row] = stored(engine, ctx.models, "lead", "id", kept.id)
    assert row.stage == "capture"
    assert stored(engine, ctx.models, "source", "code", f"T{kept.id}") == []
