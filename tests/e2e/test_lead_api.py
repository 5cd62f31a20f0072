"""The pool, the lead actions and the timeline over REST and on the screens; invalid
leads leave the lists but stay searchable for supervisors."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import prison as rison
import pytest

from tests.e2e.conftest import login

C = {"budget_status": "unclear", "need_clarity": "vague"}


@pytest.fixture(scope="module")
def web(app, tokens):
    rows = app.test_client().get("/api/v1/source/", headers={
        "Authorization": f"Bearer {tokens['admin']}"}).get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


def new_lead(api, user, web, **extra):
    body = {"customer_name": f"公海客户{uuid.uuid4().hex[:8]}", "industry": "trade",
            "contact_name": "冯经理", "source": web, "need_description": "CRM", **extra}
    response = api(user, "post", "/api/v1/lead/", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def test_claim_from_the_pool_over_rest(api, web, ids):
    lead = new_lead(api, "sup1", web, contact_phone=f"1351{uuid.uuid4().int % 10**7:07d}", **C)
    assert lead["owner"] is None and lead["pool"] == "public"
    pool = api("rep1", "get", "/api/v1/leads/pool").get_json()["result"]
    mine = next(p for p in pool if p["id"] == lead["id"])
    assert "contact_phone" not in mine and mine["lead_no"] == lead["lead_no"]
    west = api("rep3", "get", "/api/v1/leads/pool").get_json()["result"]
    assert lead["id"] not in {p["id"] for p in west}
    assert api("fin1", "get", "/api/v1/leads/pool").status_code == 403
    claimed = api("rep1", "post", f"/api/v1/leads/{lead['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["owner"] == ids["rep1"]
    late = api("rep2", "post", f"/api/v1/leads/{lead['id']}/claim")
    assert (late.status_code, late.get_json()["message"]) == (409, "已被领取")
    assert api("rep3", "post", f"/api/v1/leads/{lead['id']}/claim").status_code == 404
    assert api("rep1", "get", f"/api/v1/lead/{lead['id']}").get_json()["result"][
        "contact_phone"]
    timeline = api("rep1", "get", f"/api/v1/leads/{lead['id']}/timeline").get_json()
    assert {"认领", "进入公海"} <= {e["title"] for e in timeline["result"]}


def test_release_needs_a_reason_and_merge_needs_a_supervisor(api, web):
    lead = new_lead(api, "rep1", web)
    refused = api("rep1", "post", f"/api/v1/leads/{lead['id']}/release", json={})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    done = api("rep1", "post", f"/api/v1/leads/{lead['id']}/release",
               json={"reason": "客户已选择竞品"})
    assert done.status_code == 200 and done.get_json()["status"] == "unassigned"
    keep, drop = new_lead(api, "rep2", web), new_lead(api, "rep2", web, remark="重复录入")
    assert api("rep2", "post", f"/api/v1/leads/{keep['id']}/merge",
               json={"duplicate": drop["id"]}).status_code == 403
    merged = api("sup1", "post", f"/api/v1/leads/{keep['id']}/merge",
                 json={"duplicate": drop["id"]})
    assert merged.status_code == 200
    assert api("sup1", "get", f"/api/v1/lead/{keep['id']}").get_json()["result"][
        "remark"] == "重复录入"


def _listed(api, user, name, status=None):
    filters = [{"col": "customer_name", "opr": "eq", "value": name}]
    if status:
        filters.append({"col": "status", "opr": "eq", "value": status})
    query = rison.dumps({"filters": filters})
    return api(user, "get", f"/api/v1/lead/?q={query}").get_json().get("ids", [])


def test_invalid_leads_leave_the_lists_but_supervisors_find_them(api, web):
    lead = new_lead(api, "rep1", web)
    done = api("rep1", "put", f"/api/v1/lead/{lead['id']}",
               json={"status": "invalid", "invalid_reason": "spam"})
    assert done.status_code == 200
    name = lead["customer_name"]
    assert _listed(api, "rep1", name) == [] and _listed(api, "sup1", name) == []
    assert _listed(api, "sup1", name, "invalid") == [lead["id"]]
    assert _listed(api, "rep1", name, "invalid") == []
    assert api("rep1", "get", f"/api/v1/lead/{lead['id']}").status_code == 200  # kept


def test_the_pool_page_and_the_lead_page_panel(app, api, web):
    lead = new_lead(api, "sup1", web, **C)
    page = login(app, "rep2").get("/pool/", query_string={"q": lead["lead_no"]}).data.decode()
    assert lead["lead_no"] in page and f"/pool/claim/{lead['id']}" in page
    client = login(app, "rep2")
    assert client.post(f"/pool/claim/{lead['id']}").status_code == 302
    shown = client.get(f"/lead/show/{lead['id']}").data.decode()
    assert "跟进记录与任务" in shown and "首次触达" in shown and "退回公海" in shown
    assert "公海" in login(app, "sup1").get("/lead/list/").data.decode()  # the menu item


def test_the_pool_shows_how_a_lead_was_followed_up_before_a_claim(api, web):
    lead = new_lead(api, "rep1", web)
    summary = "客户在比较三家供应商，" * 10
    when = (dt.datetime.now(ZoneInfo("Asia/Shanghai")) - dt.timedelta(days=1)).replace(
        second=0, microsecond=0).isoformat()
    logged = api("rep1", "post", "/api/v1/followup/", json={
        "lead": lead["id"], "occurred_at": when, "method": "phone",
        "summary": summary, "customer_feedback": "interested"})
    assert logged.status_code == 201, logged.get_json()
    assert api("rep1", "post", f"/api/v1/leads/{lead['id']}/release",
               json={"reason": "换人跟进"}).status_code == 200
    pool = api("rep2", "get", "/api/v1/leads/pool?limit=1000").get_json()["result"]
    seen = next(p for p in pool if p["id"] == lead["id"])
    assert seen["followups"] == 1
    touch = seen["last_followup"]
    assert touch["method"] == "phone" and touch["at"] == when
    assert touch["summary"] == summary[:80] + "…"


def test_the_pool_page_shows_the_latest_touch(app, api, web):
    lead = new_lead(api, "rep1", web)
    when = (dt.datetime.now(ZoneInfo("Asia/Shanghai")) - dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    assert api("rep1", "post", "/api/v1/followup/", json={
        "lead": lead["id"], "occurred_at": when.isoformat(), "method": "wechat",
        "summary": "客户下季度再议", "customer_feedback": "evaluating"}).status_code == 201
    untouched = new_lead(api, "rep1", web)
    for pk in (lead["id"], untouched["id"]):
        assert api("rep1", "post", f"/api/v1/leads/{pk}/release",
                   json={"reason": "换人跟进"}).status_code == 200
    page = login(app, "rep2").get(f"/pool/?q={lead['lead_no']}").data.decode()
    assert "跟进 1 次" in page and f"{when:%m-%d} 微信" in page and "客户下季度再议" in page
    page = login(app, "rep2").get(f"/pool/?q={untouched['lead_no']}").data.decode()
    assert "从未跟进" in page
