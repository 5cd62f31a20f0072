"""With CSRF on, the app still works in a real browser: the login form, a form post (mark
all read, the config editor's check) and a script's fetch (moving a lead on its page) carry
the token; a fetch without it is refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from leadloom.access import Actor
from leadloom.records import Context
from leadloom.records.notify import notify, unread_count
from leadloom.web.csrf import REFUSED
from tests.conftest import PASSWORD
from tests.helpers import chinese
from tests.security.test_csrf_walk import build_csrf_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(database_factory) -> Iterator[tuple[Flask, str]]:
    """The CSRF-on app on a free port, in a thread."""
    app = build_csrf_app(database_factory())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN")  # a Chinese user: Accept-Language zh
    yield context.new_page()
    context.close()


def admin_id_and_message(app: Flask) -> int:
    """Put one unread message in admin's inbox; answer admin's id."""
    with app.app_context():
        st = app.extensions["leadloom"]
        admin = st.appbuilder.sm.find_user(username="admin").id
        notify(Context(Actor.system_actor(), st.db.session, st.models, channel="seed"),
               admin, "digest", "浏览器测试")
        st.db.session.commit()
        return admin


def unread(app: Flask, user_id: int) -> int:
    with app.app_context():
        st = app.extensions["leadloom"]
        return unread_count(st.db.session, st.models, user_id)


def test_forms_and_fetches_carry_the_token_in_a_browser(served, page):
    app, base = served
    admin = admin_id_and_message(app)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    # a form post: mark all read
    assert unread(app, admin) >= 1
    page.goto(f"{base}/notifications/")
    page.click("form[action='/notifications/read'] button")
    page.wait_for_load_state()
    assert chinese(REFUSED) not in page.content() and unread(app, admin) == 0
    # the config editor's check (a form post that renders the page again)
    page.goto(f"{base}/config/edit/")
    page.click("button[value=validate]")
    page.wait_for_load_state()
    assert "配置有效" in page.content()
    # scripts: the helper every page's fetches go through, and a bare fetch without it
    status = page.evaluate(
        "() => leadloomJson('/api/v1/notifications/read', 'POST').then(r => r.status)")
    assert status == 200
    bare = page.evaluate("() => fetch('/api/v1/notifications/read', {method: 'POST'})"
                         ".then(r => r.json().then(b => [r.status, b.message]))")
    assert bare == [400, chinese(REFUSED)]


def test_a_stage_move_from_the_record_page_works(served, page):
    app, base = served
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    lead = page.evaluate("""() => leadloomJson('/api/v1/source/', 'GET')
        .then(r => r.json()).then(s => leadloomJson('/api/v1/lead/', 'POST', {
          customer_name: '浏览器客户', industry: 'education', contact_name: '冯老师', grade: 'A',
          need_description: '排课系统', source: s.result.find(x => x.code === 'WEB').id}))
        .then(r => r.json()).then(b => b.id)""")
    page.goto(f"{base}/lead/show/{lead}")
    page.click(".ll-actions >> text=推进/移动")
    page.select_option("#ll-moves select[name=to]", "discovery")
    with page.expect_response(lambda r: r.url.endswith(f"/lead/move/{lead}")) as moved:
        page.click("#ll-moves button[type=submit]")
    assert moved.value.status == 302, moved.value.text()
    with app.app_context():
        st = app.extensions["leadloom"]
        record = st.db.session.get(st.models.cls("lead"), lead)
        assert record.stage == "discovery"
