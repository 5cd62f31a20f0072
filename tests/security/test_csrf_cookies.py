"""The login cookies: SameSite=Lax and HttpOnly always; Secure exactly when the request
came over HTTPS (X-Forwarded-Proto counts only behind a configured proxy)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import login_user

from leadloom.settings import Settings
from leadloom.web import create_app
from tests.conftest import CONFIG, PASSWORD, SECRET


def login_cookie(app: Flask, **request: object) -> str:
    """The ``Set-Cookie`` of the session after a form login (CSRF is off in these apps)."""
    answer = app.test_client().post("/login/", data={"username": "rep1", "password": PASSWORD},
                                    **request)  # type: ignore[arg-type]
    assert answer.status_code == 302
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    return cookies[0]


def flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def test_over_http_the_session_cookie_is_lax_and_not_secure(app):
    cookie = login_cookie(app)
    assert "SameSite=Lax" in cookie and "httponly" in flags(cookie)
    assert "secure" not in flags(cookie)


def test_over_https_the_session_cookie_is_secure(app):
    cookie = login_cookie(app, base_url="https://localhost")
    assert "SameSite=Lax" in cookie and {"secure", "httponly"} <= flags(cookie)


def test_x_forwarded_proto_is_ignored_unless_behind_a_proxy(app):
    cookie = login_cookie(app, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in flags(cookie)


@pytest.fixture(scope="module")
def proxied(app: Flask) -> Flask:
    """The same database, served behind one reverse proxy."""
    settings = Settings(config_dir=CONFIG, database_url=app.config["SQLALCHEMY_DATABASE_URI"],
                        secret_key=SECRET, proxy_hops=1)
    return create_app(settings, testing=True, upgrade=False)


def test_behind_a_proxy_its_x_forwarded_proto_decides(proxied):
    assert "secure" in flags(login_cookie(proxied, headers={"X-Forwarded-Proto": "https"}))
    assert "secure" not in flags(login_cookie(proxied, headers={"X-Forwarded-Proto": "http"}))


@pytest.mark.parametrize(("base_url", "secure"), [("http://localhost", False),
                                                  ("https://localhost", True)])
def test_the_remember_me_cookie_follows_the_same_rules(app, base_url, secure):
    with app.test_request_context("/", base_url=base_url):
        login_user(app.extensions["leadloom"].appbuilder.sm.find_user(username="rep1"),
                   remember=True)
        answer = app.process_response(app.make_response("ok"))
    cookie = next(c for c in answer.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "httponly" in flags(cookie)
    assert ("secure" in flags(cookie)) is secure
