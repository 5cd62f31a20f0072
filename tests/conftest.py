"""Shared fixtures: a built app on SQLite (default) or PostgreSQL, users, logins.

Set ``LEADLOOM_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1/postgres``)
to run everything against PostgreSQL: each test session creates and drops its own database.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.users import add_user

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
CONFIGS = Path(__file__).parent / "configs"
PASSWORD = "test-pass-123"
SECRET = "x" * 48
#: how long a test session's access tokens last (flask-jwt-extended's default: 15 min)
TOKEN_LIFETIME = dt.timedelta(hours=6)

#: (username, roles, team, unit) — the demo organisation of DESIGN.md.
ORG = (
    ("admin", ("admin",), None, None),
    ("sup1", ("supervisor",), "east-1", None),
    ("rep1", ("rep",), "east-1", None),
    ("rep2", ("rep",), "east-1", None),
    ("sup2", ("supervisor",), "west-1", None),
    ("rep3", ("rep",), "west-1", None),
    ("rep4", ("rep",), "west-1", None),
    ("fin1", ("finance",), None, None),
    ("mkt1", ("marketing",), None, None),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that use the database under test (they take one from "
             "the database factory, or are marked postgres): the second pass on PostgreSQL "
             "runs what can differ there, not the tests that never open it")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept, left = [], []
    for item in items:
        uses = "database_factory" in getattr(item, "fixturenames", ())
        (kept if uses or item.get_closest_marker("postgres") else left).append(item)
    items[:] = kept
    config.hook.pytest_deselected(items=left)


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Makes empty databases: SQLite files, or fresh PostgreSQL databases dropped at the end."""
    server = os.environ.get("LEADLOOM_TEST_DATABASE_URL")
    created: list[str] = []

    def make() -> str:
        if not server:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'leadloom.db'}"
        name = f"leadloom_test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return sa.make_url(server).set(database=name).render_as_string(hide_password=False)

    yield make
    if server:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_app(config_dir: Path, database_url: str, *, csrf: bool = False) -> Flask:
    settings = Settings(config_dir=config_dir, database_url=database_url, secret_key=SECRET)
    flask_app = create_app(settings, testing=True, csrf=csrf)
    # the session's tokens (``tokens``) outlive a slow run of the suite; the tests of
    # expiry give their tokens their own lifetime
    flask_app.config["JWT_ACCESS_TOKEN_EXPIRES"] = TOKEN_LIFETIME
    return flask_app


def org_app(database_url: str, *, csrf: bool = False,
            config_dir: Path = CONFIG) -> Iterator[Flask]:
    """The default CRM (or the one in ``config_dir``) with the demo organisation's users
    (password ``PASSWORD``); its engine is disposed of afterwards. ``csrf``: forms and
    cookie-carried API writes need the token, as in production."""
    flask_app = build_app(config_dir, database_url, csrf=csrf)
    with flask_app.app_context():
        for username, roles, team, unit in ORG:
            add_user(username, roles=roles, password=PASSWORD, team=team, unit=unit)
    yield flask_app
    with flask_app.app_context():
        flask_app.extensions["leadloom"].db.engine.dispose()


@pytest.fixture(scope="session")
def app(database_factory: Callable[[], str]) -> Iterator[Flask]:
    """The default CRM with the demo organisation's users, shared by the session."""
    yield from org_app(database_factory())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def tokens(app: Flask) -> dict[str, str]:
    """A JWT access token per demo user."""
    found = {}
    client = app.test_client()
    for username, *_ in ORG:
        response = client.post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        assert response.status_code == 200, response.get_json()
        found[username] = response.get_json()["access_token"]
    return found


@pytest.fixture
def api(client: FlaskClient, tokens: dict[str, str]) -> Callable[..., object]:
    """``api("rep1", "post", "/api/v1/lead/", json=...)`` → response; ``headers=`` adds to
    the token (``{"Accept-Language": "en"}`` for English messages)."""

    def call(user: str, method: str, url: str, **kwargs: Any) -> object:
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--lang=zh-CN"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, one for the whole session (Playwright's sync
    API allows one at a time in a process)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):  # ./dev test installs it: in CI a skip would hide a failure
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
