"""``leadloom demo`` makes data that ends at the moment it runs (``as_of_now``): nothing
lies in the future, and the last days have follow-ups and work due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from leadloom.demo import generate_demo
from leadloom.demo.workdays import as_of_now
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"
NOW = dt.datetime(2026, 11, 30, 2, 7, 41)  # UTC: 10:07 in Shanghai, a Monday


def test_as_of_now_is_the_minute_in_shanghai() -> None:
    assert as_of_now(NOW) == dt.datetime(2026, 11, 30, 10, 7)


def test_demo_data_made_now_ends_now(database_factory: Callable[[], str]) -> None:
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    with app.app_context():
        generate_demo(app, leads=300, seed=7, password="pw123456", as_of=as_of_now(NOW))
        st = state()
        lead, followup, task = (st.models.cls(e) for e in ("lead", "followup", "task"))
        session = st.db.session
        latest_followup = session.scalar(sa.select(sa.func.max(followup.occurred_at)))
        latest_lead = session.scalar(sa.select(sa.func.max(lead.created_at)))
        open_due = session.scalars(sa.select(task.due_at).where(
            task.status.in_(("todo", "overdue")))).all()
    assert NOW - dt.timedelta(days=7) < latest_followup <= NOW
    assert NOW - dt.timedelta(days=7) < latest_lead <= NOW
    assert any(due >= NOW - dt.timedelta(days=1) for due in open_due)
