"""``leadloom check --reclaim`` on the demo data (1,000 leads): the shipped rule would
reclaim 0 leads with a contract or past the first stage (the status-only rule it replaces
would have taken live deals), per unit, and the dry run writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from leadloom.access import Actor
from leadloom.cli.main import cli
from leadloom.demo import generate_demo
from leadloom.records import Context
from leadloom.records.leads.reclaim_scope import idle_leads
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state
from tests.conftest import CONFIG
from tests.helpers import replace_once

NOW = "2026-03-01T02:00"  # two months after the demo's last day (2025-12-31)
SHIPPED = """\
    exclude: >-
      status in ['converted', 'won', 'lost', 'invalid'] or stage_position > 1
      or open_contracts > 0 or open_approvals > 0 or protected_until >= today()"""
STATUS_ONLY = """    exclude: "status in ['converted', 'won', 'lost', 'invalid']\""""


@pytest.fixture(scope="module")
def demo(database_factory: Callable[[], str]) -> tuple[Flask, str]:
    url = database_factory()
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    with app.app_context():
        generate_demo(app, leads=1000, seed=42, password="pw123456")
    return app, url


def dry_run(url: str, config: Path) -> tuple[int, dict[str, int]]:
    result = CliRunner().invoke(cli, ["--config", str(config), "--database-url", url,
                                      "check", "--reclaim", "--now", NOW],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    total = re.search(r"would reclaim (\d+) leads? in all; nothing was changed", result.output)
    assert total, result.output
    units = dict(re.findall(r"would reclaim (\d+) leads? of unit (\w+)", result.output))
    return int(total[1]), {unit: int(n) for n, unit in units.items()}


def reclaimed(app: Flask, moment: str) -> list[tuple[str, bool]]:
    """(stage, has a contract) of each lead a reclaim at ``moment`` (UTC) would return."""
    with app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        contract = st.models.cls("contract")
        with_contract = set(st.db.session.scalars(sa.select(contract.lead_id)))
        found = [(i.row.stage, i.row.id in with_contract)
                 for i in idle_leads(ctx, _utc(moment)) if i.due]
        st.db.session.rollback()
        return found


def _utc(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local) - dt.timedelta(hours=8)


def _lead_state(app: Flask) -> tuple[int, int]:
    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        return st.db.session.execute(sa.select(sa.func.sum(lead.version),
                                               sa.func.count(lead.owner_id))).one()


def test_the_shipped_rule_takes_no_live_deal(demo):
    app, url = demo
    before = _lead_state(app)
    total, units = dry_run(url, CONFIG)
    assert _lead_state(app) == before  # a dry run
    found = reclaimed(app, NOW)
    assert total == len(found) == sum(units.values()) > 0
    assert set(units) <= {"east", "west"}
    assert [f for f in found if f != ("capture", False)] == []


def test_the_status_only_rule_would_have_taken_deals_past_the_first_stage(demo, tmp_path):
    _, url = demo
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    replace_once(config / "leads.yaml", SHIPPED, STATUS_ONLY)
    old_total, _ = dry_run(url, config)
    new_total, _ = dry_run(url, CONFIG)
    assert old_total > new_total


def test_without_a_database_there_is_nothing_to_count(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url", url,
                                      "check", "--reclaim"])
    assert result.exit_code == 1
    assert "reclaim dry run: no database at" in result.output
    assert not (tmp_path / "none.db").exists()
