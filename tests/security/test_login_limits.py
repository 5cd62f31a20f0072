"""Password guessing on both login routes: a per-IP rate limit (429 with Retry-After) and a
temporary lockout per username that refuses even the right password, for known and unknown
usernames alike, and forgets failures after a success."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from itertools import count

import limits.storage.memory
import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from redis import Redis

from leadloom.settings import LoginLimits, Settings
from leadloom.web import create_app
from leadloom.web.login import Lockout
from leadloom.web.users import add_user
from tests.conftest import CONFIG, PASSWORD, SECRET
from tests.helpers import claimed_redis_db

LIMITS = LoginLimits(rate="5 per minute", max_failures=5, lock_minutes=15)
USERS = ("ann", "bob", "cat", "dan", "eve", "fay", "gus")
SERVER = os.environ.get("LEADLOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379")
_ips = count(1)


def fresh_ip() -> str:
    """Each call a new client address, so only the per-username lockout can refuse."""
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def guarded_app(database_url: str, **settings: object) -> Flask:
    app = create_app(Settings(config_dir=CONFIG, database_url=database_url, secret_key=SECRET,
                              login_limits=LIMITS, **settings), testing=True)  # type: ignore[arg-type]
    with app.app_context():
        for username in USERS:
            add_user(username, roles=["rep"], password=PASSWORD, team="east-1")
    return app


@pytest.fixture(scope="module")
def guarded(database_factory: Callable[[], str]) -> Iterator[Flask]:
    app = guarded_app(database_factory())
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


def api_login(app: Flask, username: str, password: str, ip: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_client().post(
        "/api/v1/security/login", environ_base={"REMOTE_ADDR": ip or fresh_ip()},
        json={"username": username, "password": password, "provider": "db"})


def page_login(app: Flask, username: str, password: str, ip: str | None = None,
               client: FlaskClient | None = None):  # type: ignore[no-untyped-def]
    return (client or app.test_client()).post(
        "/login/", environ_base={"REMOTE_ADDR": ip or fresh_ip()},
        data={"username": username, "password": password})


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    """The API gave tokens, or the form redirected away from the login page."""
    if response.is_json:
        return response.status_code == 200 and "access_token" in response.get_json()
    return response.status_code == 302 and "/login/" not in response.headers["Location"]


def refusal_text(response) -> str:  # type: ignore[no-untyped-def]
    """The JSON message, or the page's last warning (earlier ones wait in the session when
    a test client does not follow FAB's redirects)."""
    if response.is_json:
        return response.get_json()["message"]
    return re.findall(r'alert-warning">.*?</button>\s*(.*?)\s*</div>', response.text, re.S)[-1]


@pytest.mark.parametrize("login", [api_login, page_login], ids=["api", "page"])
def test_fifty_wrong_passwords_then_the_right_one_is_refused_while_locked(guarded, login):
    username = "ann" if login is api_login else "bob"
    answers = [login(guarded, username, f"wrong-{i}").status_code for i in range(50)]
    assert answers[:5] == ([401] * 5 if login is api_login else [302] * 5)
    assert answers[5:] == [429] * 45

    right = login(guarded, username, PASSWORD)

    assert right.status_code == 429 and not signed_in(right)
    assert "已临时锁定" in refusal_text(right)
    assert 14 * 60 < int(right.headers["Retry-After"]) <= 15 * 60


def test_the_lock_ends_after_its_time(guarded, monkeypatch):
    for i in range(5):
        api_login(guarded, "cat", f"wrong-{i}")
    assert api_login(guarded, "cat", PASSWORD).status_code == 429

    clock = time.time() + 15 * 60 + 1  # the memory storage's clock: 15 minutes later
    monkeypatch.setattr(limits.storage.memory, "time", type("Later", (), {
        "time": staticmethod(lambda: clock)}))

    assert signed_in(api_login(guarded, "cat", PASSWORD))


def test_a_success_forgets_the_failures_before_it(guarded):
    for _ in range(3):
        for i in range(4):
            assert page_login(guarded, "dan", f"wrong-{i}").status_code == 302
        assert signed_in(page_login(guarded, "dan", PASSWORD))


def test_simultaneous_guesses_get_no_more_tries_than_a_sequence():
    """Attempts are counted before the password is checked: a burst from many addresses
    cannot all pass the check before the first failure is recorded."""
    lockout = Lockout(MemoryStorage(), LIMITS)

    allowed = [lockout.begin("burst") is None for _ in range(8)]

    assert allowed == [True] * 5 + [False] * 3
    assert lockout.begin("someone-else") is None


def test_unknown_usernames_are_locked_with_the_same_answer(guarded):
    """Otherwise N+1 tries would tell which usernames exist."""
    answers = {}
    for username in ("eve", "nobody-here"):
        statuses = [api_login(guarded, username, f"wrong-{i}").status_code for i in range(6)]
        assert statuses == [401] * 5 + [429]
        locked = api_login(guarded, username, PASSWORD)
        answers[username] = (locked.status_code, re.sub(r"\d", "0", refusal_text(locked)))
    assert answers["eve"] == answers["nobody-here"]


@pytest.mark.parametrize("login", [api_login, page_login], ids=["api", "page"])
def test_each_route_allows_five_posts_a_minute_per_ip(guarded, login):
    ip = fresh_ip()
    assert all(signed_in(login(guarded, "fay", PASSWORD, ip)) for _ in range(5))

    too_fast = login(guarded, "fay", PASSWORD, ip)

    assert too_fast.status_code == 429 and not signed_in(too_fast)
    assert "登录尝试过于频繁" in refusal_text(too_fast)
    assert 0 < int(too_fast.headers["Retry-After"]) <= 61  # the window end, rounded up
    assert signed_in(login(guarded, "fay", PASSWORD))  # another address is not slowed


def test_the_page_answers_in_the_sessions_language(guarded):
    client = guarded.test_client()
    client.get("/lang/en")
    ip = fresh_ip()
    for i in range(5):
        page_login(guarded, "gus", f"wrong-{i}", client=client)

    locked = page_login(guarded, "gus", PASSWORD, client=client)
    too_fast = [page_login(guarded, "x", "y", ip, client) for _ in range(6)][-1]

    assert refusal_text(locked).startswith("Too many failed logins: this account is locked until")
    assert refusal_text(too_fast).startswith("Too many login attempts; try again in")


def test_the_suites_apps_have_no_limits_unless_asked(app):
    """Other tests log in hundreds of times from one address."""
    for i in range(10):
        assert api_login(app, "rep1", f"wrong-{i}", "127.0.0.1").status_code == 401
    assert signed_in(api_login(app, "rep1", PASSWORD, "127.0.0.1"))


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEADLOOM_LOGIN_RATE_LIMIT", "3 per hour")
    monkeypatch.setenv("LEADLOOM_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("LEADLOOM_LOGIN_LOCK_MINUTES", "30")

    assert Settings.from_env().login_limits == LoginLimits("3 per hour", 7, 30)
    for name in ("LEADLOOM_LOGIN_RATE_LIMIT", "LEADLOOM_LOGIN_MAX_FAILURES",
                 "LEADLOOM_LOGIN_LOCK_MINUTES"):
        monkeypatch.delenv(name)
    assert Settings.from_env().login_limits == LoginLimits("10 per minute", 5, 15)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    yield from claimed_redis_db(SERVER, range(12, 0, -1))


@pytest.mark.slow
def test_with_redis_the_lock_and_the_rate_are_kept_in_redis(database_factory, redis_url):
    """Every process of a deployment sees the same counts."""
    app = guarded_app(database_factory(), redis_url=redis_url)
    try:
        for i in range(5):
            assert api_login(app, "ann", f"wrong-{i}").status_code == 401
        assert api_login(app, "ann", PASSWORD).status_code == 429
        ip = fresh_ip()
        for _ in range(5):
            page_login(app, "bob", PASSWORD, ip)
        assert page_login(app, "bob", PASSWORD, ip).status_code == 429

        keys = [k.decode() for k in Redis.from_url(redis_url).keys("*")]
        assert any("leadloom/login/lock/" in k for k in keys), keys
        assert any("AuthDBView.login" in k for k in keys), keys
    finally:
        with app.app_context():
            app.extensions["leadloom"].db.engine.dispose()
