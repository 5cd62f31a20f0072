"""The write path outside the web: single and bulk writes share every rule."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.records import (
    Context,
    Forbidden,
    RecordInvalid,
    bulk_create,
    create,
    ensure_seed_rows,
    update,
)
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def world(database_factory, tmp_path_factory):
    config = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(CONFIG, config)
    # deactivate one industry option: old records keep it, new ones cannot choose it
    replace_once(config / "options.yaml", "{code: government, zh: 政府/事业单位, en: Government "
                 "/ public}", "{code: government, zh: 政府/事业单位, en: Government / public, "
                 "active: false}")
    models = build_models(load_registry(config))
    engine = sa.create_engine(database_factory())
    migrate(engine, models)
    session = Session(engine)
    system = Context(Actor.system_actor(), session, models, channel="test")
    ensure_seed_rows(system)
    source = session.scalar(sa.select(models.cls("source").id).where(
        models.cls("source").code == "WEB"))
    yield models, session, system, source
    session.close()
    engine.dispose()


def row(source_id, i, **extra):
    return {"customer_name": f"批量客户{i}", "industry": "manufacturing",
            "contact_name": "张总", "source": source_id, "need_description": "CRM", **extra}


def test_seed_rows_are_created_once(world):
    models, session, system, _ = world
    assert ensure_seed_rows(system) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(
        models.cls("source"))) == 11


def test_bulk_create_stamps_like_create(world):
    models, session, system, source = world
    created_at = dt.datetime(2024, 3, 15, 2, 30)
    ids = bulk_create(system, "lead", [
        row(source, i, contact_phone="+86 138-0000-000" + str(i), created_at=created_at)
        for i in range(5)])
    assert len(ids) == 5 and ids == sorted(ids)
    leads = session.scalars(sa.select(models.cls("lead")).where(
        models.cls("lead").id.in_(ids))).all()
    assert {r.contact_phone for r in leads} == {f"1380000000{i}" for i in range(5)}
    assert {r.created_at for r in leads} == {created_at}
    assert {r.status for r in leads} == {"new"} and {r.version for r in leads} == {1}


def test_bulk_create_is_all_or_nothing_and_reports_rows(world):
    models, session, system, source = world
    lead = models.cls("lead")
    before = session.scalar(sa.select(sa.func.count()).select_from(lead))
    with pytest.raises(RecordInvalid) as invalid:
        bulk_create(system, "lead", [row(source, 100), row(source, 101, industry="x"),
                                     row(source, 102, source=999999),
                                     row(source, 103, lead_no="DUP-1"),
                                     row(source, 104, lead_no="DUP-1")])
    errors = invalid.value.errors
    assert set(errors) == {"1.industry", "2.source", "4.lead_no"}
    assert session.scalar(sa.select(sa.func.count()).select_from(lead)) == before


def test_bulk_create_needs_the_create_operation(world):
    models, session, _, source = world
    finance = Context(Actor(1, "fin1", ("finance",)), session, models)
    with pytest.raises(Forbidden):
        bulk_create(finance, "lead", [row(source, 1)])


def test_created_at_is_only_for_the_system_actor(world):
    models, session, _, source = world
    rep = Context(Actor(1, "rep1", ("rep",)), session, models)
    with pytest.raises(RecordInvalid) as invalid:
        bulk_create(rep, "lead", [row(source, 200, created_at=dt.datetime(2000, 1, 1))])
    assert invalid.value.errors == {"0.created_at": ["unknown field 'created_at'"]}
    ids = bulk_create(rep, "lead", [row(source, 201)])
    record = session.get(models.cls("lead"), ids[0])
    assert record.created_at.year > 2000 and record.owner_id == 1


def test_deactivated_option_is_kept_but_not_chosen_again(world):
    models, session, system, source = world
    with pytest.raises(RecordInvalid) as invalid:
        create(system, "lead", row(source, 300, industry="government"))
    assert invalid.value.errors == {"industry": ["option 'government' is no longer available"]}
    legacy = models.cls("lead")(customer_name="老客户", industry="government",
                                contact_name="刘", source_id=source, need_description="x")
    session.add(legacy)
    session.commit()
    updated = update(system, "lead", legacy.id, {"industry": "government", "remark": "ok"})
    assert updated.industry == "government" and updated.remark == "ok"
