"""The home page is "my day" per role: each role sees its cards, and every number on it is
a link to a list that shows the same count (the FAB list's record count)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from leadloom.access import Actor
from leadloom.demo import generate_demo
from leadloom.records import Context
from leadloom.records.leads import clock
from leadloom.records.notify import notify
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state
from tests.conftest import CONFIG, SECRET

PASSWORD = "demo1234"
NUMBER = re.compile(r'<a class="ll-num" href="([^"]+)">([^<]+)</a>')
LIST_COUNT = re.compile(r'id="ll-total">(?:共 )?(\d+)')
CARDS = re.compile(r'data-card="(\w+)"')
#: user → the cards their roles give (the inbox card is everyone's)
EXPECTED = {
    "rep1": {"today", "pipeline", "month", "inbox"},
    "sup1": {"team", "reps", "inbox"},
    "fin1": {"finance", "inbox"},
    "mkt1": {"intake", "inbox"},
    "admin": {"system", "inbox"},
}


@pytest.fixture(autouse=True)
def last_demo_day(monkeypatch):
    """The demo's history ends on 2025-12-31: its afternoon in Shanghai is "now"."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2025, 12, 31, 7, 0))


@pytest.fixture(scope="module")
def demo(database_factory, tmp_path_factory) -> Iterator[Flask]:
    """The demo organisation with a small data set."""
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory(),
                              secret_key=SECRET, reports_dir=tmp_path_factory.mktemp("r")),
                     testing=True)
    with app.app_context():
        generate_demo(app, leads=200, seed=11, password=PASSWORD)
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def list_count(client: FlaskClient, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.data.decode()
    assert "alert-warning" not in text, f"{url} left a filter out"
    found = LIST_COUNT.search(text)
    assert found, f"no record count on {url}"
    return int(found.group(1))


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_number_is_the_count_of_the_list_it_links_to(demo, username):
    client = signed_in(demo, username)
    page = client.get("/").data.decode()
    assert set(CARDS.findall(page)) == EXPECTED[username]
    numbers = [(html.unescape(href), int(n)) for href, n in NUMBER.findall(page)
               if "/list/" in href]
    if username != "admin":
        assert numbers, "no linked number"
    assert any(n for _, n in numbers) or username == "admin", "every number is zero"
    for href, shown in numbers:
        assert list_count(client, href) == shown, href


def test_labels_not_codes_on_the_rep_home(demo):
    page = signed_in(demo, "rep1").get("/").data.decode()
    assert "华东一组" in page and "华东大区" in page
    assert "east-1" not in page
    assert "我的漏斗" in page and "线索获取" in page
    assert re.search(r"¥[\d,]+", page)


def test_the_supervisor_has_a_row_per_rep(demo):
    page = signed_in(demo, "sup1").get("/").data.decode()
    reps = re.findall(r'href="/lead/list/\?[^"]*owner=(\d+)', page)
    assert len(set(reps)) == 2


def test_an_english_home_reads_in_english(demo):
    client = signed_in(demo, "rep1")
    client.get("/lang/en")
    page = client.get("/").data.decode()
    assert "My pipeline" in page and "我的漏斗" not in page


def test_unread_notifications_read_as_one_number_per_kind(demo):
    with demo.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        rep2 = st.appbuilder.sm.find_user(username="rep2").id
        for n in range(3):
            notify(ctx, rep2, "reclaimed", f"线索 {n} 已被收回公海", "/lead/list/")
        st.db.session.commit()
    page = signed_in(demo, "rep2").get("/").data.decode()
    card = page[page.index('data-card="inbox"'):]
    assert re.search(r'href="/notifications/">3</a>\s*<small>已回收', card)


def test_a_new_lead_shows_its_first_touch_deadline_with_time_left(demo):
    admin = signed_in(demo, "admin")
    with demo.app_context():
        st = state()
        source = st.db.session.scalar(sa.select(st.models.cls("source").id).limit(1))
        rep2 = st.appbuilder.sm.find_user(username="rep2").id
    name = "首触客户甲"
    answer = admin.post("/lead/add", data={
        "customer_name": name, "industry": "manufacturing", "contact_name": "周经理",
        "contact_phone": "138 0013 8000", "source": str(source),
        "need_description": "需要销售管理系统", "status": "new", "owner": str(rep2)})
    assert answer.status_code == 302
    page = signed_in(demo, "rep2").get("/").data.decode()
    card = page[page.index('data-card="today"'):page.index('data-card="pipeline"')]
    assert re.search(name + r".*?</a>\s*<span class=\"ll-note\">还剩 \d+ (小时|天|分钟)", card,
                     re.S)


def test_approvals_waiting_equal_the_inbox_badge(demo):
    with demo.app_context():
        st = state()
        lead = st.models.cls("lead")
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        pk = st.db.session.scalar(sa.select(lead.id).where(lead.owner_id == rep1)
                                  .order_by(lead.id).limit(1))
    client = demo.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "rep1", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    asked = client.put(f"/api/v1/lead/{pk}", json={"discount_pct": 8},
                       headers={"Authorization": f"Bearer {token}"})
    assert asked.status_code in (200, 202), asked.get_json()
    sup1 = signed_in(demo, "sup1")
    home = sup1.get("/").data.decode()
    shown = re.search(r'href="/approvals/">(\d+)</a>\s*<small>待我审批', home)
    badge = re.search(r'待我审批 <span class="badge">(\d+)</span>',
                      sup1.get("/approvals/").data.decode())
    assert shown and badge and int(shown.group(1)) == int(badge.group(1)) >= 1
