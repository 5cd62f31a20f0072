"""No Chinese page shows an English sentence of the app's own messages.

Each demo role walks its pages with the Flask test client in zh: the menu's links, a record
page of each entity, the pool, board, inbox, tasks, approvals, reports and search. A page
fails when its text (tags, scripts and styles stripped) holds a msgid of our catalog whose
Chinese translation differs from it, or one of Flask-AppBuilder's English widget texts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.pofile import read_po
from flask import Flask

from leadloom.demo import generate_demo
from leadloom.settings import Settings
from leadloom.web import create_app
from tests.conftest import CONFIG, ROOT, SECRET

PASSWORD = "demo1234"
ZH_CATALOG = ROOT / "platform/leadloom/translations/zh/LC_MESSAGES/messages.po"
FAB_CATALOG = Path(flask_appbuilder.__file__).parent / "translations/zh/LC_MESSAGES/messages.po"
ROLES = ("admin", "sup1", "rep1", "fin1", "mkt1")
ENTITIES = ("lead", "account", "contact", "contract", "followup", "task", "source", "tag")
PAGES = ("/", "/pool/", "/board/", "/notifications/", "/tasks/mine/", "/approvals/",
         "/reports/", "/report-jobs/", "/search/?q=138", "/search/?q=zz-nothing", "/members/",
         "/lead/add", "/followup/add", "/task/add", "/users/list/", "/users/add",
         "/config/versions/", "/lead/list/?_flt_0_customer_name=zz-nothing")
#: Flask-AppBuilder's and its widgets' English texts that reach our pages untranslated
#: when its zh catalog (or ours) misses them; checked in the raw page, scripts included.
FAB_ENGLISH = ("No results found", "You sure you want to delete this item?",
               "Are you sure you want to delete this item?",
               "No records found", "Record Count", "say why you reject",
               "less than 7 days ago", "January", "February", "Sunday", "Monday")
#: Not pages of the app's messages: the config editor (YAML text), FAB's permission
#: tables (internal view and permission names) and its group and user-statistics screens
#: (column titles FAB does not translate), links that change something or leave the pages.
SKIPPED_LINKS = re.compile(r"^/(lang|logout|static|api|swagger|appbuilder|config/edit|"
                           r"viewmenus|permissions|permissionviews|roles|groups|userstatschartview)|/(delete|download|action)/")
SCRIPT = re.compile(r"<(script|style|textarea)\b.*?</\1\s*>", re.S | re.I)
#: code shown as code: the config's own text on the version pages (its labels are data)
CODE = re.compile(r"<pre\b.*?</pre\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
#: A msgid counts where it is the whole English run: "Search" is not found in the data
#: "Search ads" (a source's English name).
WHOLE = r"(?<![\w-])(?<![A-Za-z] )%s(?![\w-])(?! [A-Za-z])"
HREF = re.compile(r'href="(/[^"#]*)"')


@pytest.fixture(scope="module")
def demo(database_factory: Callable[[], str],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo organisation with a small data set."""
    settings = Settings(config_dir=CONFIG, database_url=database_factory(), secret_key=SECRET,
                        reports_dir=tmp_path_factory.mktemp("reports"))
    app = create_app(settings, testing=True)
    generate_demo(app, leads=60, seed=11, password=PASSWORD)
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


@cache
def english_msgids() -> tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]:
    """Each msgid of Flask-AppBuilder's catalog and ours (ours win) whose Chinese text
    differs from it or is missing: (msgid, its fixed parts, a pattern where placeholders
    match any text). Msgids without English words of their own are left out."""
    chinese: dict[str, str] = {}
    for path in (FAB_CATALOG, ZH_CATALOG):
        with path.open("rb") as f:
            chinese |= {str(m.id): str(m.string) for m in read_po(f, locale="zh")
                        if m.id and isinstance(m.id, str)}
    found = []
    for msgid, text in chinese.items():
        parts = tuple(re.split(r"%\(\w+\)s|%s", msgid))
        if text != msgid and re.search(r"[A-Za-z]{2}", "".join(parts)):
            pattern = r".{1,80}?".join(re.escape(p) for p in parts)
            found.append((msgid, parts, re.compile(WHOLE % pattern)))
    return tuple(found)


def page_text(page: str) -> str:
    """What a reader sees: no scripts or styles, no tags, entities decoded."""
    return html.unescape(TAG.sub(" ", SCRIPT.sub(" ", CODE.sub(" ", page))))


def english_in(page: str) -> list[str]:
    """The app's and Flask-AppBuilder's English messages, and English widget texts, found
    on ``page``."""
    text = page_text(page)
    found = [msgid for msgid, parts, pattern in english_msgids()
             if all(p in text for p in parts) and pattern.search(text)]
    shown = html.unescape(CODE.sub(" ", page))  # widget texts live in scripts too
    return found + [fab for fab in FAB_ENGLISH if fab in shown]


def walk(client, user: str) -> Iterator[tuple[str, str]]:
    """(url, html) of every GET page ``user`` reaches: the menu's links and the fixed list."""
    home = client.get("/").data.decode()
    urls = list(dict.fromkeys([*PAGES, *(u for u in HREF.findall(home)
                                          if not SKIPPED_LINKS.search(u))]))
    urls += [record_page(client, entity) for entity in ENTITIES]
    for url in filter(None, urls):
        answer = client.get(url, follow_redirects=True)
        if answer.status_code == 200 and answer.mimetype == "text/html":
            yield url, answer.data.decode()


def record_page(client, entity: str) -> str | None:
    """The show page of the first record of ``entity`` the user's list shows."""
    listing = client.get(f"/{entity}/list/").data.decode()
    found = re.search(rf'href="(/{entity}/show/\d+)', listing)
    return found.group(1) if found else None


@pytest.mark.parametrize("user", ROLES)
def test_chinese_pages_show_no_english_messages(demo, user):
    client = demo.test_client()
    answer = client.post("/login/", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 302
    pages = dict(walk(client, user))
    assert len(pages) > 10
    english = {url: found for url, page in pages.items() if (found := english_in(page))}
    assert not english, f"English on {user}'s Chinese pages: {english}"


def test_the_check_finds_an_untranslated_message():
    """The check can fail: a catalog message and a FAB text in English are both found."""
    page = ("<div class='alert'>You sure you want to delete this item?</div>"
            "<p>your role may not update lead records</p><script>var x='Yes';</script>")
    found = english_in(page)
    assert "You sure you want to delete this item?" in found
    assert english_in("<p>你的角色不能修改线索</p>") == []
