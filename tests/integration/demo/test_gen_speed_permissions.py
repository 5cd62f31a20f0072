"""``demo-data`` leaves the screens' permissions to the web app: after it, on a fresh
database, the web app's start gives every role what it gives without ``demo-data``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask_appbuilder.security.sqla.models import Role

from leadloom.cli.main import cli
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"


def _grants(url: str) -> dict[str, set[tuple[str, str]]]:
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    with app.app_context():
        roles = state().db.session.query(Role).all()
        return {role.name: {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
                for role in roles}


def test_the_web_start_after_demo_data_grants_what_it_grants_without(
        database_factory: Callable[[], str]):
    url = database_factory()
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url", url,
                                      "demo-data", "--leads", "30"])
    assert result.exit_code == 0, result.output
    after_demo = _grants(url)
    plain = _grants(database_factory())
    assert after_demo == plain
    assert ("can_list", "lead") in after_demo["rep"]
    assert len(after_demo["admin"]) > 100
