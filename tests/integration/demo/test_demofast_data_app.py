"""The data app (``demo-data``, ``user``) builds no screen, yet leaves the database with
the roles and permissions the web app built with ``sync_permissions=False`` leaves
(what ``demo-data`` left before it), and a web start then completes them the same way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask_appbuilder.security.sqla.models import PermissionView, Role

from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.data_app import create_data_app
from leadloom.web.state import state

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "config"


def _grants(app: Flask) -> dict[str, set[tuple[str, str]]]:
    with app.app_context():
        session = state().db.session
        roles = {role.name: {(pv.permission.name, pv.view_menu.name)
                             for pv in role.permissions} for role in session.query(Role)}
        roles["(every pair)"] = {(pv.permission.name, pv.view_menu.name)
                                 for pv in session.query(PermissionView)}
        return roles


def _settings(url: str) -> Settings:
    return Settings(config_dir=CONFIG, database_url=url)


def test_the_data_app_grants_what_the_web_app_without_permission_sync_grants(
        database_factory: Callable[[], str]):
    data = _grants(create_data_app(_settings(database_factory()), testing=True))
    web = _grants(create_app(_settings(database_factory()), testing=True,
                             sync_permissions=False))
    assert data == web
    assert ("can_list", "lead") in data["rep"]
    assert ("menu_access", "lead") in data["rep"]


def test_a_web_start_after_the_data_app_grants_what_it_grants_on_its_own(
        database_factory: Callable[[], str]):
    url = database_factory()
    create_data_app(_settings(url), testing=True)
    after_data = _grants(create_app(_settings(url), testing=True))
    alone = _grants(create_app(_settings(database_factory()), testing=True))
    assert after_data == alone
    assert len(after_data["admin"]) > 100


def test_the_data_app_serves_no_route_but_static_files(database_factory: Callable[[], str]):
    app = create_data_app(_settings(database_factory()), testing=True)
    assert {rule.endpoint for rule in app.url_map.iter_rules()} <= {"static",
                                                                     "appbuilder.static"}


def test_the_data_commands_import_no_screen():
    code = ("import sys, leadloom.cli.commands_data; "
            "print(sorted(m for m in sys.modules if m in ('leadloom.web.app', "
            "'leadloom.web.views', 'leadloom.web.api', 'leadloom.web.live', "
            "'leadloom.web.record_page', 'leadloom.web.reports', 'leadloom.reporting')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT / "platform")})
    assert out.stdout.strip() == "[]"
