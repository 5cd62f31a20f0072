"""The demo users' password is hashed once per run, as the app hashes passwords, and a
new run with another password replaces every user's."""

from __future__ import annotations

from pathlib import Path

from werkzeug import security

from leadloom.demo import DEMO_USERS
from leadloom.demo.users import ensure_users
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web import users as web_users
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_one_hash_per_run_and_every_user_logs_in_with_it(database_factory, monkeypatch):
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    made: list[str] = []

    def counted(password: str, **options: object) -> str:
        made.append(password)
        return security.generate_password_hash(password, **options)

    monkeypatch.setattr(web_users, "generate_password_hash", counted)
    with app.app_context():
        sm = state().appbuilder.sm
        ensure_users("first-pass1")
        assert made == ["first-pass1"]
        ensure_users("second-pass2")
        assert made == ["first-pass1", "second-pass2"]
        method = app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
        for user in DEMO_USERS:
            account = sm.find_user(username=user.username)
            assert account.password.startswith(method)
            assert sm.auth_user_db(user.username, "second-pass2") is not None
            assert sm.auth_user_db(user.username, "first-pass1") is None


