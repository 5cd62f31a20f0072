"""Exit criteria that need a linked record (the shipped funnel: leaving 方案呈现 needs a
follow-up of kind 产品演示): a move without it is refused naming what is missing, in the
reader's language, over REST and on the lead's page, and nothing changes; once the demo is
logged the same move goes through."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from leadloom.access import Actor
from leadloom.records import Context, update
from leadloom.web.state import state
from tests.e2e.conftest import login

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
ZH = "完成方案呈现前需先添加跟进记录（跟进类型：产品演示）"


@pytest.fixture
def lead_in_solution(app, api, ids):
    """A lead of rep1's in 方案呈现 with every field leaving it needs, but no demo."""
    response = api("admin", "post", "/api/v1/lead/", json={
        "customer_name": f"演示客户{uuid.uuid4().hex[:10]}", "industry": "manufacturing",
        "contact_name": "王经理", "source": ids["web"], "need_description": "需要CRM",
        "owner": ids["rep1"], "expected_amount": 200000,
        "expected_close_date": "2031-06-30", **A})
    assert response.status_code == 201, response.get_json()
    pk = response.get_json()["id"]
    with app.app_context():
        st = state()
        update(Context(Actor.system_actor(), st.db.session, st.models, channel="test"),
               "lead", pk, {"stage": "solution"})
    return pk


def log(api, pk, kind):
    response = api("rep1", "post", "/api/v1/followup/", json={
        "lead": pk, "occurred_at": _now_iso(), "method": "online_demo", "kind": kind,
        "summary": "线上演示", "customer_feedback": "interested"})
    assert response.status_code == 201, response.get_json()


def _now_iso():
    import datetime as dt

    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()


def stage(api, pk):
    return api("rep1", "get", f"/api/v1/lead/{pk}").get_json()["result"]["stage"]


def test_rest_refuses_leaving_without_the_demo_in_either_language(api, lead_in_solution):
    pk = lead_in_solution
    url = f"/api/v1/lead/{pk}/transition"
    log(api, pk, "routine")  # a follow-up of another kind does not count
    refused = api("rep1", "post", url, json={"to": "negotiation"})
    assert refused.status_code == 422
    assert refused.get_json()["message"] == ZH
    assert "stage" in refused.get_json()["errors"]
    english = api("rep1", "post", url, json={"to": "negotiation"},
                  headers={"Accept-Language": "en"})
    assert english.get_json()["message"] == (
        "To complete Solution, add a follow-up (Kind: Demo)")
    assert stage(api, pk) == "solution"
    log(api, pk, "demo")
    moved = api("rep1", "post", url, json={"to": "negotiation"})
    assert moved.status_code == 200, moved.get_json()
    assert stage(api, pk) == "negotiation"


def test_losing_the_deal_needs_no_demo(api, lead_in_solution):
    moved = api("rep1", "post", f"/api/v1/lead/{lead_in_solution}/transition",
                json={"to": "lost", "values": {"lost_reason": "competitor"}})
    assert moved.status_code == 200, moved.get_json()


def test_the_page_shows_the_refusal_and_changes_nothing(app, api, lead_in_solution):
    pk = lead_in_solution
    client = login(app, "rep1")
    version = api("rep1", "get", f"/api/v1/lead/{pk}").get_json()["result"]["version"]
    answer = client.post(f"/lead/move/{pk}", data={"to": "negotiation", "version": version})
    assert answer.status_code == 302
    page = html.unescape(client.get(f"/lead/show/{pk}").data.decode())
    alert = re.search(r'alert-danger[^>]*>(.*?)</div>', page, re.S).group(1)
    assert ZH in alert, alert
    assert stage(api, pk) == "solution"
