"""Pages in few SQL statements: permission and menu checks from a cached set (at most two
statements a page, and a role change holds from the next request), and a record page in
at most 15 statements however long its history is."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from bench.pages import captured, permission_statements
from leadloom.web.state import state
from tests.conftest import PASSWORD
from tests.e2e.conftest import make_lead

FOLLOWUPS = 50
TRANSFERS = 20
TASKS = 3
CONTRACTS = 2
MOST_ON_RECORD_PAGE = 15
MOST_FOR_PERMISSIONS = 2


def login(app, username):
    client = app.test_client()
    answer = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def statements(app, client, url):
    with app.app_context():
        engine = state().db.engine
    with captured(engine) as found:
        answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return found, answer.get_data(as_text=True)


@pytest.mark.parametrize("user", ["rep1", "admin"])
@pytest.mark.parametrize("url", ["/", "/lead/list/", "/lead/list/?grade=A"])
def test_permission_checks_cost_at_most_two_statements(app, user, url):
    client = login(app, user)
    client.get(url)  # a first page may read the set; later ones only its stamp
    for _ in range(2):
        found, _ = statements(app, client, url)
        checks = permission_statements(found)
        assert len(checks) <= MOST_FOR_PERMISSIONS, [s.sql[:120] for s in checks]


def test_a_role_change_holds_from_the_next_request(app):
    client = login(app, "mkt1")
    assert client.get("/lead/list/").status_code == 200
    with app.app_context():
        sm = state().appbuilder.sm
        role = sm.find_role("marketing")
        grant = sm.find_permission_view_menu("can_list", "lead")
        sm.del_permission_role(role, grant)
    try:
        assert client.get("/lead/list/").status_code in (302, 403)
    finally:
        with app.app_context():
            sm = state().appbuilder.sm
            sm.add_permission_role(sm.find_role("marketing"),
                                   sm.find_permission_view_menu("can_list", "lead"))
    assert client.get("/lead/list/").status_code == 200


@pytest.fixture(scope="module")
def busy_lead(app, ids, tokens):
    """A lead of rep1's shaped like the demo data's busiest: 50 follow-ups, 20 transfers,
    three approvals (approved, rejected, pending), tasks, contracts, a linked account and
    a changed source (references the header and the history name), all through the REST
    API."""
    client = app.test_client()

    def api(user, method, url, **kwargs):
        answer = getattr(client, method)(
            url, headers={"Authorization": f"Bearer {tokens[user]}"}, **kwargs)
        assert answer.status_code in (200, 201), (url, answer.get_json())
        return answer

    pk, _ = make_lead(app, ids, "rep1")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for i in range(FOLLOWUPS):
        at = (now - dt.timedelta(hours=i + 1)).isoformat()
        api("rep1", "post", "/api/v1/followup/", json={
            "lead": pk, "occurred_at": at, "method": "phone",
            "customer_feedback": "interested", "summary": f"第{i}次跟进"})
    for i in range(TRANSFERS):
        owner = ids["rep2"] if i % 2 == 0 else ids["rep1"]
        api("sup1", "put", f"/api/v1/lead/{pk}", json={"owner": owner})
    for pct, decision in (("8", "approve"), ("9", "reject"), ("7", None)):
        asked = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": pct})
        approval = asked.get_json()["approval_id"]
        if decision:
            api("sup1", "post", f"/api/v1/approvals/{approval}/{decision}",
                json={"comment": "看过了"})
    account = api("rep1", "post", "/api/v1/account/", json={
        "name": f"页面客户{uuid.uuid4().hex[:8]}", "industry": "finance"}).get_json()["id"]
    api("rep1", "put", f"/api/v1/lead/{pk}", json={"account": account, "source": other_source(app)})
    for i in range(TASKS):
        api("rep1", "post", "/api/v1/task/", json={
            "title": f"回访{i}", "lead": pk, "assignee": ids["rep1"],
            "due_at": (now + dt.timedelta(days=i + 1)).isoformat()})
    for _ in range(CONTRACTS):
        api("rep1", "post", "/api/v1/contract/", json={
            "contract_no": f"HT{uuid.uuid4().hex[:10]}", "account": account, "lead": pk,
            "amount": "300000.00", "sign_date": "2025-09-01", "product_type": ["license"]})
    return pk


def other_source(app):
    """A source other than the lead's first (WEB), so the history names a reference."""
    with app.app_context():
        source = state().models.cls("source")
        return state().db.session.query(source).filter_by(code="WEBINAR").one().id


@pytest.mark.parametrize("user", ["rep1", "sup1", "admin"])
def test_a_record_page_with_a_long_history_takes_few_statements(app, busy_lead, user):
    client = login(app, user)
    client.get(f"/lead/show/{busy_lead}")
    found, page = statements(app, client, f"/lead/show/{busy_lead}")
    assert len(found) <= MOST_ON_RECORD_PAGE, "\n".join(s.sql[:150] for s in found)
    assert page.count("第") >= FOLLOWUPS and "看过了" in page
    assert len(re.findall(r"ll-timeline-row|<tr", page)) > TRANSFERS
    assert page.count("回访") >= TASKS
