"""A large demo load builds the list-only indexes after its rows: when it is done the
database has every index the config declares, as the schema plan would have made them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from leadloom.demo import generate_demo, generator
from leadloom.model import make_plan
from leadloom.model.indexes import list_indexes
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_the_load_ends_with_every_declared_index(database_factory: Callable[[], str],
                                                 monkeypatch):
    monkeypatch.setattr(generator, "INDEXES_AFTER_FROM", 0)  # as a large load does
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    with app.app_context():
        st = state()
        deferred = list_indexes(st.registry.entity("lead"), st.models.cls("lead").__table__)
        assert len(deferred) > 10
        assert "ix_lead_status" in {ix.name for ix in deferred}
        assert not {ix.name for ix in deferred} & {"ix_lead_account_id", "ix_lead_source_id"}
        summary = generate_demo(app, leads=120, seed=3, password="pw123456")
        assert summary.count("lead") == 120 and dict(summary.phases)["indexes"] >= 0
        with st.db.engine.connect() as conn:
            assert not make_plan(conn, st.models).steps
            stored = {ix["name"] for ix in sa.inspect(conn).get_indexes("lead")}
        assert {ix.name for ix in deferred} <= stored
