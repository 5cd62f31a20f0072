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
from leadloom.web.security import sync_roles
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


def test_sync_roles_adds_what_is_granted_and_removes_only_managed_extras(
        database_factory: Callable[[], str]):
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    with app.app_context():
        st = state()
        sm = st.appbuilder.sm
        rep = sm.find_role("rep")
        granted = sm.find_permission_view_menu("can_list", "lead")
        extra = sm.add_permission_view_menu("can_delete", "lead")  # managed: not granted
        by_hand = sm.add_permission_view_menu("can_list", "ReportJobs")  # not managed
        assert granted in rep.permissions and extra not in rep.permissions
        rep.permissions.remove(granted)
        rep.permissions.extend([extra, by_hand])
        st.db.session.commit()
        sync_roles(sm, st.registry)
        st.db.session.expire_all()
        held = set(sm.find_role("rep").permissions)
        assert granted in held
        assert extra not in held
        assert by_hand in held

