"""Two processes starting together on a new database both seed it: the one that loses a
row's race finds the row there and starts anyway."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.records import Context, ensure_seed_rows, seeds

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_a_seed_row_created_meanwhile_by_another_process_is_kept(
        database_factory, tmp_path, monkeypatch):
    shutil.copytree(CONFIG, tmp_path / "config")
    registry = load_registry(tmp_path / "config")
    models = build_models(registry)
    engine = sa.create_engine(database_factory())
    migrate(engine, models)
    real_create = seeds.create
    raced = []

    def other_process_wins_first_row(ctx, entity_code, values):
        if not raced:  # the other process commits the same row between check and create
            with Session(engine) as other:
                real_create(Context(Actor.system_actor(), other, models, channel="seed"),
                            entity_code, values)
                other.commit()
            raced.append(entity_code)
        return real_create(ctx, entity_code, values)

    monkeypatch.setattr(seeds, "create", other_process_wins_first_row)
    with Session(engine) as session:
        created = ensure_seed_rows(Context(Actor.system_actor(), session, models,
                                           channel="seed"))
    source = models.cls("source")
    with Session(engine) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(source))
        codes = session.scalars(sa.select(source.code)).all()
    assert raced == ["source"]
    assert created == sum(len(entity.seed) for entity in registry.entities) - 1
    assert total == 11
    assert len(codes) == len(set(codes))
    engine.dispose()
