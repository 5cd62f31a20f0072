"""Loaded history: a bulk create dated by the system is audited at its own time, its
stage path comes from ``load_moves`` (not an entry stamped now), approvals load decided,
and nobody but the system may load history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.model.workflow import workflow_classes
from leadloom.records import (
    LOADED_PATHS,
    Context,
    DecidedApproval,
    Forbidden,
    Move,
    Vote,
    bulk_create,
    create,
    load_approvals,
    load_moves,
)

CONFIG = Path(__file__).resolve().parents[3] / "config"
T0 = dt.datetime(2025, 3, 3, 2, 0)


@pytest.fixture
def ctx(database_factory):
    models = build_models(load_registry(CONFIG))
    engine = sa.create_engine(database_factory())
    migrate(engine, models)
    with Session(engine) as session:
        yield Context(Actor.system_actor(), session, models, channel="import",
                      meta={LOADED_PATHS: True})
    engine.dispose()


def _lead(ctx: Context, stage: str) -> int:
    source = create(ctx, "source", {"code": "WEB", "name": "官网表单"}).id
    return bulk_create(ctx, "lead", [{
        "customer_name": "历史客户", "industry": "trade", "contact_name": "张",
        "source": source, "need_description": "x", "lead_no": "WEB-20250303-001",
        "stage": stage, "created_at": T0, "updated_at": T0}])[0]


def test_a_loaded_lead_is_audited_at_its_time_and_gets_its_path(ctx):
    lead_id = _lead(ctx, "discovery")
    classes = workflow_classes(ctx.models.metadata)
    audit = ctx.session.scalars(sa.select(classes.audit).where(
        classes.audit.entity == "lead", classes.audit.record_id == lead_id)).one()
    assert audit.at == T0
    stage = classes.stage
    assert ctx.session.scalars(sa.select(stage).where(stage.record_id == lead_id)).all() == []
    load_moves(ctx, "lead", "sales", [
        Move(lead_id, None, "capture", T0),
        Move(lead_id, "capture", "discovery", T0 + dt.timedelta(days=2, hours=3))])
    rows = ctx.session.execute(sa.select(stage.from_stage, stage.to_stage, stage.at,
                                         stage.seconds_in_from)
                               .where(stage.record_id == lead_id).order_by(stage.id)).all()
    assert [tuple(r) for r in rows] == [
        (None, "capture", T0, None),
        ("capture", "discovery", T0 + dt.timedelta(days=2, hours=3), 2 * 86400 + 3 * 3600)]


def test_approvals_load_decided_with_their_votes(ctx):
    lead_id = _lead(ctx, "negotiation")
    [approval_id] = load_approvals(ctx, [DecidedApproval(
        "big_loss", "lead", lead_id, "move", {"stage": "lost"}, {"stage": "negotiation"},
        7, "rep1", T0, (Vote(0, 2, "sup1", T0 + dt.timedelta(hours=5)),),
        from_stage="negotiation", to_stage="lost")])
    classes = workflow_classes(ctx.models.metadata)
    row = ctx.session.get(classes.approval, approval_id)
    assert (row.status, row.open_key, row.decided_by_id) == ("approved", None, 2)
    assert row.decided_at == T0 + dt.timedelta(hours=5)
    votes = ctx.session.scalars(sa.select(classes.vote.voter)
                                .where(classes.vote.approval_id == approval_id)).all()
    assert votes == ["sup1"]


def test_only_the_system_loads_history(ctx):
    rep = Context(Actor(5, "rep1", ("rep",)), ctx.session, ctx.models)
    with pytest.raises(Forbidden):
        load_moves(rep, "lead", "sales", [Move(1, None, "capture", T0)])
    with pytest.raises(Forbidden):
        load_approvals(rep, [DecidedApproval("big_loss", "lead", 1, "move", {}, {}, 5,
                                             "rep1", T0, (Vote(0, 2, "sup1", T0),))])
    stage = workflow_classes(ctx.models.metadata).stage
    assert ctx.session.scalar(sa.select(sa.func.count()).select_from(stage)) == 0
