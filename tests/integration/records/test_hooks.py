"""Hooks run for every write channel: single create/update/delete and bulk create."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.records import (
    Context,
    RecordHook,
    RecordInvalid,
    bulk_create,
    create,
    delete,
    hooks,
    update,
)

CONFIG = Path(__file__).resolve().parents[3] / "config"


class Recorder(RecordHook):
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def before_save(self, change):
        if change.values.get("customer_name") == "拒绝":
            change.reject("customer_name", "this name is refused")
        if change.entity.code == "lead" and change.creating:
            change.values["remark"] = "set by a hook"

    def after_save(self, change):
        kind = "delete" if change.deleting else "create" if change.creating else "update"
        self.seen.append((kind, change.record.id))


@pytest.fixture
def world(database_factory, monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(hooks, "BUILTIN_HOOKS", (lambda registry: recorder,))
    monkeypatch.setattr(hooks, "_CACHE", {})
    models = build_models(load_registry(CONFIG))
    engine = sa.create_engine(database_factory())
    migrate(engine, models)
    with Session(engine) as session:
        ctx = Context(Actor.system_actor(), session, models, channel="test")
        source = create(ctx, "source", {"code": "WEB", "name": "官网表单"}).id
        yield ctx, source, recorder
    engine.dispose()


def lead(source, name):
    return {"customer_name": name, "industry": "trade", "contact_name": "张",
            "source": source, "need_description": "x"}


def test_hooks_see_every_channel(world):
    ctx, source, recorder = world
    record = create(ctx, "lead", lead(source, "甲"))
    assert record.remark == "set by a hook"
    update(ctx, "lead", record.id, {"city": "上海"})
    ids = bulk_create(ctx, "lead", [lead(source, "乙"), lead(source, "丙")])
    delete(ctx, "lead", record.id)
    assert ("create", record.id) in recorder.seen
    assert ("update", record.id) in recorder.seen and ("delete", record.id) in recorder.seen
    assert [("create", i) for i in ids] == [s for s in recorder.seen if s[1] in ids]
    bulk = ctx.session.get(ctx.models.cls("lead"), ids[0])
    assert bulk.remark == "set by a hook"


def test_a_hook_problem_refuses_the_write_everywhere(world):
    ctx, source, _ = world
    with pytest.raises(RecordInvalid) as single:
        create(ctx, "lead", lead(source, "拒绝"))
    assert single.value.errors == {"customer_name": ["this name is refused"]}
    with pytest.raises(RecordInvalid) as bulk:
        bulk_create(ctx, "lead", [lead(source, "好"), lead(source, "拒绝")])
    assert bulk.value.errors == {"1.customer_name": ["this name is refused"]}
    count = ctx.session.scalar(sa.select(sa.func.count()).select_from(ctx.models.cls("lead")))
    assert count == 0
