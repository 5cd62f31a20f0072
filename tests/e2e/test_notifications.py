"""The in-app inbox: messages written in the caller's transaction, read by their user only,
the unread count in the menu bar."""

from __future__ import annotations

import uuid

from leadloom.access import Actor
from leadloom.records import Context
from leadloom.records.notify import notify
from tests.e2e.conftest import login


def _send(app, username, title, *, key=None, commit=True):
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username=username)
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        notify(ctx, user.id, "assignment", title, "/lead/list/", key=key)
        if commit:
            st.db.session.commit()
        else:
            st.db.session.rollback()


def test_inbox_api_lists_mine_with_the_unread_count_and_marks_read(app, api):
    title = f"新线索 {uuid.uuid4().hex[:6]} 已分配给你"
    before = api("rep2", "get", "/api/v1/notifications/").get_json()["unread"]
    _send(app, "rep2", title)
    mine = api("rep2", "get", "/api/v1/notifications/").get_json()
    assert mine["unread"] == before + 1
    message = next(m for m in mine["result"] if m["title"] == title)
    assert message["link"] == "/lead/list/" and message["read"] is False
    others = api("rep1", "get", "/api/v1/notifications/").get_json()["result"]
    assert all(m["title"] != title for m in others)
    assert api("rep1", "post", f"/api/v1/notifications/{message['id']}/read").status_code == 404
    assert api("rep2", "post", f"/api/v1/notifications/{message['id']}/read").status_code == 200
    assert api("rep2", "get", "/api/v1/notifications/").get_json()["unread"] == before
    _send(app, "rep2", title + "again")
    assert api("rep2", "post", "/api/v1/notifications/read").get_json()["changed"] >= 1
    assert api("rep2", "get", "/api/v1/notifications/?unread=1").get_json()["count"] == 0


def test_a_keyed_message_is_sent_once_and_a_rolled_back_one_never(app, api):
    key = f"test:{uuid.uuid4().hex}"
    title = f"提醒 {key}"
    _send(app, "rep4", title, key=key)
    _send(app, "rep4", title, key=key)
    _send(app, "rep4", title + " rolled back", commit=False)
    titles = [m["title"] for m in api("rep4", "get", "/api/v1/notifications/?limit=500")
              .get_json()["result"]]
    assert titles.count(title) == 1 and title + " rolled back" not in titles


def test_the_menu_bar_shows_the_unread_count_and_the_inbox_page(app):
    _send(app, "sup2", "请查看停滞线索")
    client = login(app, "sup2")
    page = client.get("/lead/list/").data.decode()
    assert 'id="ll-inbox"' in page and 'id="ll-unread"' in page
    inbox = client.get("/notifications/").data.decode()
    assert "请查看停滞线索" in inbox
    client.post("/notifications/read")
    assert 'id="ll-unread"' not in client.get("/lead/list/").data.decode()
