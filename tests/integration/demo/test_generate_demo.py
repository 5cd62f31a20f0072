"""``generate_demo`` against a real database: users, data, idempotence, determinism."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_appbuilder.security.sqla.models import User

from leadloom.demo import DEMO_USERS, DemoSummary, generate_demo
from leadloom.records import membership
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"
ENTITIES = ("lead", "account", "contact", "followup", "task", "contract")
# Columns stamped by the run itself; everything else must be identical for one seed.
RUN_COLUMNS = {"id"}


def _app(url: str) -> Flask:
    return create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)


def _counts() -> dict[str, int]:
    st = state()
    return {e: st.db.session.scalar(sa.select(sa.func.count()).select_from(st.models.cls(e)))
            for e in ENTITIES}


@pytest.fixture(scope="module")
def demo(database_factory: Callable[[], str]) -> tuple[Flask, DemoSummary]:
    app = _app(database_factory())
    with app.app_context():
        summary = generate_demo(app, leads=300, seed=7, password="pw123456")
    return app, summary


def test_demo_users_have_their_roles_and_places(demo):
    app, _ = demo
    with app.app_context():
        st = state()
        for user in DEMO_USERS:
            account = st.db.session.scalar(sa.select(User).where(User.username == user.username))
            assert account is not None, user.username
            assert sorted(r.name for r in account.roles) == sorted(user.roles)
            place = membership(st.db.session, st.models, account.id)
            assert (place.team, place.unit) == (user.team, user.unit)


def test_demo_users_log_in_with_the_password(demo):
    app, _ = demo
    client = app.test_client()
    for username in ("rep1", "fin1"):
        response = client.post("/api/v1/security/login", json={
            "username": username, "password": "pw123456", "provider": "db"})
        assert response.status_code == 200, response.get_json()


def test_every_rep_owns_leads_of_their_unit(demo):
    app, _ = demo
    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        rows = st.db.session.execute(
            sa.select(User.username, lead.unit, sa.func.count())
            .join(User, User.id == lead.owner_id).group_by(User.username, lead.unit)).all()
    owned = {(username, unit): n for username, unit, n in rows}
    for user in DEMO_USERS:
        if "rep" in user.roles:
            assert owned.get((user.username, user.unit), 0) > 10, user.username
    assert all(unit == ("east" if name in ("rep1", "rep2") else "west")
               for name, unit in owned)


def test_counts_are_plausible(demo):
    app, summary = demo
    with app.app_context():
        counts = _counts()
    assert counts["lead"] == 300
    assert 20 <= counts["account"] <= 70
    assert counts["account"] <= counts["contact"] <= 2 * counts["account"]
    assert 900 <= counts["followup"] <= 1500
    assert counts["task"] > 0 and counts["contract"] > 0
    assert {e: summary.count(e) for e in ENTITIES} == counts
    assert "300 leads" in str(summary)


def test_lead_numbers_and_backdated_history(demo):
    app, _ = demo
    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        rows = st.db.session.execute(sa.select(lead.lead_no, lead.created_at)).all()
    assert all(re.match(r"^[A-Z]+-\d{8}-\d{3}$", no) for no, _ in rows)
    years = {created.year for _, created in rows}
    assert years <= {2023, 2024, 2025} and {2024, 2025} <= years


def test_running_twice_creates_nothing_new(demo):
    app, _ = demo
    with app.app_context():
        before = _counts()
        again = generate_demo(app, leads=300, seed=7, password="pw123456")
        assert _counts() == before
    assert again.existing == 300
    assert "already present" in str(again)


def _dump(app: Flask) -> dict[str, list[tuple[object, ...]]]:
    with app.app_context():
        st = state()
        dumped = {}
        for entity in ENTITIES:
            table = st.models.cls(entity).__table__
            columns = [c for c in table.columns if c.name not in RUN_COLUMNS]
            dumped[entity] = [tuple(row) for row in st.db.session.execute(
                sa.select(*columns).order_by(table.c.id))]
        return dumped


def test_same_seed_same_data(demo, database_factory):
    app, _ = demo
    twin = _app(database_factory())
    with twin.app_context():
        generate_demo(twin, leads=300, seed=7, password="other-password")
    assert _dump(twin) == _dump(app)
    other = _app(database_factory())
    with other.app_context():
        generate_demo(other, leads=300, seed=8, password="pw123456")
    assert _dump(other)["lead"] != _dump(app)["lead"]
