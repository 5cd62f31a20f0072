"""CSRF: every state-changing route refuses a request that rides on the session cookie
without the token, so a new route cannot slip through; with the token, or with a bearer
token instead of the cookie, requests still work.

The app here is built with ``csrf=True``; the rest of the suite runs without it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from leadloom import lifecycle
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.csrf import EXEMPT, REFUSED, SCRIPT_TOKEN_COOKIE
from leadloom.web.users import add_user
from tests.conftest import CONFIG, PASSWORD, SECRET
from tests.helpers import chinese, claimed_redis_db

SAFE = {"GET", "HEAD", "OPTIONS"}
REDIS = os.environ.get("LEADLOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379")
TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
LABEL = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"
#: a real change, so a publish that got through would leave a new version behind
EDITED = (CONFIG / "entities" / "lead.yaml").read_text(encoding="utf-8").replace(
    LABEL, LABEL.replace("备注", "备注说明"))
FORM = {"action": "publish", "file": "entities/lead.yaml", "text": EDITED, "message": "csrf",
        "comment": "x", "reason": "x", "owner": "1", "duplicate": "1", "user_id": "1"}


def build_csrf_app(database_url: str, **settings: object) -> Flask:
    """The default CRM with CSRF on, an admin and a rep (password ``PASSWORD``)."""
    app = create_app(Settings(config_dir=CONFIG, database_url=database_url, secret_key=SECRET,
                              **settings), testing=True, csrf=True)  # type: ignore[arg-type]
    with app.app_context():
        if app.extensions["leadloom"].appbuilder.sm.find_user(username="admin") is None:
            add_user("admin", roles=["admin"], password=PASSWORD)
            add_user("rep1", roles=["rep"], password=PASSWORD, team="east-1")
    return app


def page_token(client: FlaskClient, url: str = "/login/") -> str:
    """The token in the page's form."""
    match = TOKEN.search(client.get(url).data.decode())
    assert match, f"no form with a CSRF token on {url}"
    return match.group(1)


def form_login(app: Flask, username: str = "admin", **kwargs: object) -> FlaskClient:
    """A browser-like client: the login form's token, then the session cookie."""
    client = app.test_client(**kwargs)  # type: ignore[arg-type]
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": page_token(client)})
    assert response.status_code == 302, response.data[:300]
    return client


@pytest.fixture(scope="module")
def csrf_app(database_factory) -> Iterator[Flask]:
    app = build_csrf_app(database_factory())
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


@pytest.fixture(scope="module")
def bearer(csrf_app: Flask) -> dict[str, str]:
    answer = csrf_app.test_client().post("/api/v1/security/login", json={
        "username": "admin", "password": PASSWORD, "provider": "db"})
    assert answer.status_code == 200, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


@pytest.fixture(scope="module")
def lead_id(csrf_app: Flask, bearer: dict[str, str]) -> int:
    """A lead made over REST with a bearer token and no CSRF token (that must work)."""
    client = csrf_app.test_client()
    sources = client.get("/api/v1/source/", headers=bearer).get_json()["result"]
    answer = client.post("/api/v1/lead/", headers=bearer, json={
        "customer_name": "防伪造客户", "industry": "education", "contact_name": "冯老师",
        "source": next(s["id"] for s in sources if s["code"] == "WEB"),
        "need_description": "排课系统"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def database_digest(app: Flask) -> dict[str, str]:
    """Every table's rows, hashed: what "nothing changed" means."""
    digest = {}
    with app.app_context(), app.extensions["leadloom"].db.engine.connect() as conn:
        for table in sorted(sa.inspect(conn).get_table_names()):
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            digest[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return digest


def versions(app: Flask) -> int:
    with app.app_context(), app.extensions["leadloom"].db.engine.connect() as conn:
        return len(lifecycle.history(conn))


def url_for_rule(rule: str, lead: int) -> str:
    """Fill a rule's variables: the lead for ids, a real report and config version."""
    values = {"pk": str(lead), "number": "1", "name": "weekly_funnel"}
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values.get(m.group(1), "1"), rule)


def unsafe_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every state-changing route, exemptions left out."""
    return sorted({(rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                   for method in rule.methods - SAFE if rule.endpoint not in EXEMPT})


def not_refused(client: FlaskClient, routes: list[tuple[str, str, str]], lead: int) -> list[str]:
    """Send each route the cookie but no token; list those not refused with our 400."""
    slipped = []
    for endpoint, method, rule in routes:
        url = url_for_rule(rule, lead)
        if rule.startswith("/api/"):
            answer = client.open(url, method=method, json={"comment": "x"})
            refused = answer.status_code == 400 and answer.get_json()["message"] == chinese(REFUSED)
        else:
            answer = client.open(url, method=method, data=FORM)
            refused = answer.status_code == 400 and chinese(REFUSED) in answer.data.decode()
        if not refused:
            slipped.append(f"{method} {url} ({endpoint}): {answer.status_code}")
    return slipped


def test_every_state_changing_route_refuses_the_cookie_without_a_token(csrf_app, lead_id):
    admin = form_login(csrf_app)
    routes = unsafe_routes(csrf_app)
    assert len(routes) > 80 and ("ConfigAdmin.edit", "POST", "/config/edit/") in routes
    published, before = versions(csrf_app), database_digest(csrf_app)
    slipped = not_refused(admin, routes, lead_id)
    assert slipped == [], "acted without a CSRF token:\n" + "\n".join(slipped)
    assert versions(csrf_app) == published and database_digest(csrf_app) == before


def test_the_exemptions_are_the_json_login_only():
    assert set(EXEMPT) == {"SecurityApi.login"}


def test_the_json_login_needs_no_token_even_with_a_cookie(csrf_app):
    browser = form_login(csrf_app)
    answer = browser.post("/api/v1/security/login", json={
        "username": "rep1", "password": PASSWORD, "provider": "db"})
    assert answer.status_code == 200 and answer.get_json()["access_token"]


def test_the_form_login_needs_the_token(csrf_app):
    client = csrf_app.test_client()
    refused = client.post("/login/", data={"username": "admin", "password": PASSWORD})
    assert refused.status_code == 400 and chinese(REFUSED) in refused.data.decode()


def test_with_the_token_forms_and_scripts_still_act(csrf_app, lead_id):
    admin = form_login(csrf_app)
    token = page_token(admin, "/config/edit/")
    published = versions(csrf_app)
    done = admin.post("/config/edit/", data={**FORM, "csrf_token": token})
    assert done.status_code == 302 and versions(csrf_app) == published + 1
    assert admin.post("/config/versions/1/rollback",
                      data={"csrf_token": token}).status_code == 302
    assert versions(csrf_app) == published + 2
    assert admin.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    answer = admin.post("/api/v1/notifications/read", headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    saved = admin.put(f"/api/v1/lead/{lead_id}", headers={"X-CSRFToken": token},
                      json={"contact_name": "冯主任"})
    assert saved.status_code == 200, saved.get_json()


def test_fabs_own_forms_carry_the_token(csrf_app, bearer):
    admin = form_login(csrf_app)
    sources = admin.get("/api/v1/source/", headers=bearer).get_json()["result"]
    saved = admin.post("/lead/add", data={
        "csrf_token": page_token(admin, "/lead/add"), "customer_name": "表单客户",
        "industry": "manufacturing", "contact_name": "周经理", "status": "new",
        "contact_phone": "138 0013 8000", "need_description": "需要销售管理系统",
        "source": str(next(s["id"] for s in sources if s["code"] == "WEB"))})
    assert saved.status_code == 302, saved.data.decode()[:2000]


def test_a_forged_token_is_refused(csrf_app):
    admin = form_login(csrf_app)
    answer = admin.post("/api/v1/notifications/read", headers={"X-CSRFToken": "forged"})
    assert answer.status_code == 400 and answer.get_json()["errors"]["csrf_token"]


def test_a_bearer_token_needs_no_csrf_token(csrf_app, bearer, lead_id):
    client = csrf_app.test_client()
    answer = client.post("/api/v1/notifications/read", headers=bearer)
    assert answer.status_code == 200, answer.get_json()
    answer = client.put(f"/api/v1/lead/{lead_id}", headers=bearer,
                        json={"need_description": "排课系统和考勤"})
    assert answer.status_code == 200, answer.get_json()


def test_the_refusal_speaks_the_users_language(csrf_app):
    admin = form_login(csrf_app)
    admin.get("/lang/en")
    page = admin.post("/notifications/read")
    assert page.status_code == 400 and REFUSED in page.data.decode()
    answer = admin.post("/api/v1/notifications/read")
    assert answer.status_code == 400 and answer.get_json()["message"] == REFUSED


def test_deletes_by_get_are_refused(csrf_app, lead_id):
    admin = form_login(csrf_app)
    before = database_digest(csrf_app)
    admin.get(f"/lead/delete/{lead_id}")
    assert database_digest(csrf_app) == before


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from claimed_redis_db(REDIS, range(1, 16))


@pytest.mark.slow
def test_rqs_dashboard_is_covered_and_its_scripts_get_the_token(database_factory, redis_url):
    app = build_csrf_app(database_factory(), redis_url=redis_url)
    admin = form_login(app)
    routes = [r for r in unsafe_routes(app) if r[0].startswith("rq_dashboard.")]
    assert len(routes) >= 4
    assert not_refused(admin, routes, 1) == []
    assert admin.get("/rq/").status_code == 200
    token = admin.get_cookie(SCRIPT_TOKEN_COOKIE, path="/rq/")
    assert token is not None and admin.get_cookie(SCRIPT_TOKEN_COOKIE) is None
    done = admin.post("/rq/queue/default/queued/empty", headers={"X-CSRFToken": token.value})
    assert done.status_code == 200 and done.get_json()["status"] == "OK"
    assert admin.get("/rq/requeue/default").status_code == 405
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()
