"""申请协作 / 申请转移 from a search notice: rep3 (west) finds rep1's (east) lead by phone, may
not open it, and asks; rep1 and their supervisor sup1 get a message linking to the lead, no
one else does; once per requester, lead, kind and day; CSRF-protected; answers in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from leadloom.access import Actor
from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.model.tables import utcnow
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.conftest import PASSWORD, org_app

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
FORM_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
PHONE = "13912345678"


@pytest.fixture(scope="module")
def site(database_factory) -> Iterator[Flask]:
    yield from org_app(database_factory(), csrf=True)


@pytest.fixture(scope="module")
def leads(site: Flask) -> dict[str, tuple[int, str]]:
    """rep1's lead (the one asked about) and a lead in the public pool: (id, number)."""
    with site.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        source = st.db.session.scalar(sa.select(st.models.cls("source").id).filter_by(
            code="WEB"))
        made = {}
        # the pool's lead is grade C: no rule of its unit takes it
        poor = {"budget_status": "unclear", "need_clarity": "vague"}
        for key, owner, phone, bnau in (("rep1", rep1, PHONE, {}),
                                        ("pool", None, "13912345679", poor)):
            lead = create(ctx, "lead", {
                "customer_name": f"协作测试{key}公司", "industry": "trade",
                "contact_name": "吴经理", "contact_phone": phone, "source": source,
                "need_description": "CRM", "status": "new", "owner": owner, **bnau})
            made[key] = (lead.id, lead.lead_no)
        return made


def login(app: Flask, username: str) -> tuple[FlaskClient, str]:
    """A browser-like session and the CSRF token its pages carry."""
    client = app.test_client()
    token = FORM_TOKEN.search(client.get("/login/").data.decode()).group(1)
    client.post("/login/", data={"username": username, "password": PASSWORD,
                                 "csrf_token": token})
    return client, TOKEN.search(client.get("/search/?q=xx").data.decode()).group(1)


def ask(client: FlaskClient, token: str | None, kind: str, lead_no: object):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(f"/api/v1/search/{kind}", json={"lead_no": lead_no}, headers=headers)


def messages(app: Flask, kind: str) -> dict[str, list[tuple[str, str]]]:
    """username → (title, link) of the messages of ``kind``."""
    with app.app_context():
        st = state()
        table = st.models.metadata.tables[NOTIFICATION_TABLE]
        names = {u.id: u.username for u in st.appbuilder.sm.get_all_users()}
        rows = st.db.session.execute(sa.select(table.c.user_id, table.c.title, table.c.link)
                                     .where(table.c.kind == kind)).all()
        st.db.session.rollback()
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(names[row.user_id], []).append((row.title, row.link))
    return found


def test_the_notice_offers_both_asks(site, leads):
    client, _ = login(site, "rep3")
    page = client.get(f"/search/?q={PHONE}").data.decode()
    assert leads["rep1"][1] in page and "协作测试rep1公司" not in page
    assert 'data-ask="collaboration"' in page and "申请协作" in page and "申请转移" in page


def test_collaboration_tells_the_owner_and_their_supervisor_once_a_day(site, leads,
                                                                      monkeypatch):
    pk, number = leads["rep1"]
    client, token = login(site, "rep3")
    asked = ask(client, token, "collaboration", number)
    assert asked.status_code == 201, asked.get_json()
    assert asked.get_json() == {"message": "已申请协作：已通知负责人及其主管（2 人）",
                                "notified": 2}
    told = messages(site, "collab_request")
    assert set(told) == {"rep1", "sup1"}
    for title, link in (told["rep1"][0], told["sup1"][0]):
        assert link == f"/lead/show/{pk}" and number in title and "申请协作" in title
    again = ask(client, token, "collaboration", number)
    assert again.status_code == 429 and "今天已就该线索提交过申请" in again.get_json()["message"]
    assert messages(site, "collab_request") == told
    tomorrow = utcnow() + dt.timedelta(days=1)
    monkeypatch.setattr("leadloom.records.leads.requests.utcnow", lambda: tomorrow)
    assert ask(client, token, "collaboration", number).status_code == 201
    assert len(messages(site, "collab_request")["rep1"]) == 2


def test_transfer_is_its_own_ask_and_the_owner_reads_its_kind(site, leads):
    number = leads["rep1"][1]
    client, token = login(site, "rep4")
    asked = ask(client, token, "transfer", number)
    assert asked.status_code == 201 and asked.get_json()["message"].startswith("已申请转移")
    told = messages(site, "transfer_request")
    assert set(told) == {"rep1", "sup1"} and "申请转移" in told["rep1"][0][0]
    assert ask(client, token, "transfer", number).status_code == 429
    owner, _ = login(site, "rep1")
    inbox = owner.get("/notifications/").data.decode()
    assert "转移申请" in inbox and number in inbox


def test_without_the_csrf_token_nothing_is_sent(site, leads):
    client, _ = login(site, "rep4")
    before = messages(site, "collab_request")
    refused = ask(client, None, "collaboration", leads["rep1"][1])
    assert refused.status_code == 400
    assert messages(site, "collab_request") == before


def test_what_cannot_be_asked_is_refused_in_chinese(site, leads):
    client, token = login(site, "rep1")
    own = ask(client, token, "collaboration", leads["rep1"][1])
    assert own.status_code == 422
    assert own.get_json()["errors"]["lead_no"] == ["你已经可以打开这条线索，无需申请"]
    other, token = login(site, "rep3")
    pool = ask(other, token, "transfer", leads["pool"][1])
    assert pool.status_code == 422 and "请到公海认领" in str(pool.get_json())
    missing = ask(other, token, "transfer", "L-NO-SUCH")
    assert missing.status_code == 404 and missing.get_json()["message"] == (
        "没有编号为 L-NO-SUCH 的线索")
    assert ask(other, token, "transfer", "").status_code == 422
    assert ask(other, token, "transfer", ["x"]).status_code == 422
    assert other.post("/api/v1/search/transfer", data="{", headers={
        "X-CSRFToken": token, "Content-Type": "application/json"}).status_code == 422
