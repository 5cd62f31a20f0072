"""The home page is "my day" per role: each role sees its cards, and every number on it is
a link to a list that shows the same count (the FAB list's record count)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from leadloom.demo import generate_demo
from leadloom.records.leads import clock
from leadloom.settings import Settings
from leadloom.web import create_app
from tests.conftest import CONFIG, SECRET

PASSWORD = "demo1234"
NUMBER = re.compile(r'<a class="ll-num" href="([^"]+)">([^<]+)</a>')
LIST_COUNT = re.compile(r"(?:记录数目|Record Count):\s*</strong>\s*(\d+)")
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
