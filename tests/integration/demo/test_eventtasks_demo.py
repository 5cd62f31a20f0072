"""The demo's follow-ups go through ``task_rules`` like any batch: their kind follows their
note (a demo, an objection), and the history whose commitments lapsed before the data
ends makes no task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.demo import generate_demo
from leadloom.demo.workdays import as_of_now
from leadloom.records.leads import clock
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"
NOW = dt.datetime(2026, 11, 30, 2, 7, 41)  # UTC: 10:07 in Shanghai, a Monday


def test_demo_follow_ups_make_only_the_rule_tasks_still_due(
        database_factory: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    with app.app_context():
        generate_demo(app, leads=300, seed=7, password="pw123456", as_of=as_of_now(NOW))
        st = state()
        followup, task = st.models.cls("followup"), st.models.cls("task")
        session = st.db.session
        kinds = dict(session.execute(sa.select(followup.kind, sa.func.count())
                                     .group_by(followup.kind)).all())
        made = session.execute(sa.select(task.rule_key, task.due_at)
                               .where(task.rule_key.is_not(None))).all()
        lapsed = set(session.scalars(sa.select(followup.id).where(
            followup.kind.in_(("demo", "objection")),
            followup.occurred_at < NOW - dt.timedelta(days=14))))
        app.extensions["leadloom"].db.engine.dispose()
    assert kinds.get("demo") and kinds.get("objection") and kinds.get("routine"), kinds
    assert lapsed  # demos and objections long past: the rules ran over them
    sources = {int(key.split(":")[2]) for key, _ in made if ":followup:" in key}
    assert not sources & lapsed
    assert all(due > NOW for _, due in made)
