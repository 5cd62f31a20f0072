"""Approval notices name the flow and the lead (number and customer) in the reader's
language: the approver hears of the request, the requester of the outcome."""

from __future__ import annotations

import uuid

from leadloom.access import Actor
from leadloom.records import Context, update
from leadloom.web.state import state


def new_lead(api) -> dict:
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    source = next(r["id"] for r in rows if r["code"] == "WEB")
    made = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": f"审批通知客户{uuid.uuid4().hex[:8]}", "industry": "healthcare",
        "contact_name": "陈主任", "source": source, "need_description": "HIS对接"})
    assert made.status_code == 201, made.get_json()
    return api("admin", "get", f"/api/v1/lead/{made.get_json()['id']}").get_json()["result"]


def titles(api, user: str, language: str) -> list[str]:
    answer = api(user, "get", "/api/v1/notifications/", headers={"Accept-Language": language})
    return [m["title"] for m in answer.get_json()["result"]]


def test_request_and_rejection_read_in_chinese_and_english(api):
    lead = new_lead(api)
    asked = api("rep1", "put", f"/api/v1/lead/{lead['id']}", json={"discount_pct": "8"})
    approval = asked.get_json()["approval_id"]
    no, customer = lead["lead_no"], lead["customer_name"]
    assert f"待审批：折扣审批(5%-15%) · 线索 {no}（{customer}）" in titles(api, "sup1", "zh")
    assert (f"Approval needed: Discount approval (5-15 %) · lead {no} ({customer})"
            in titles(api, "sup1", "en"))
    rejected = api("sup1", "post", f"/api/v1/approvals/{approval}/reject",
                   json={"comment": "折扣过高"})
    assert rejected.status_code == 200
    assert f"审批未通过：折扣审批(5%-15%) · 线索 {no}（{customer}）" in titles(api, "rep1", "zh")
    assert (f"Approval rejected: Discount approval (5-15 %) · lead {no} ({customer})"
            in titles(api, "rep1", "en"))


def test_approval_reads_approved(api):
    lead = new_lead(api)
    approval = api("rep1", "put", f"/api/v1/lead/{lead['id']}",
                   json={"discount_pct": "8"}).get_json()["approval_id"]
    assert api("sup1", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).status_code == 200
    no, customer = lead["lead_no"], lead["customer_name"]
    assert f"审批已通过：折扣审批(5%-15%) · 线索 {no}（{customer}）" in titles(api, "rep1", "zh")
    assert (f"Approved: Discount approval (5-15 %) · lead {no} ({customer})"
            in titles(api, "rep1", "en"))


def test_a_request_the_system_overtakes_reads_withdrawn(app, api):
    lead = new_lead(api)
    api("admin", "put", f"/api/v1/lead/{lead['id']}", json={
        "budget_status": "to_confirm", "need_clarity": "partial", "authority": "influences",
        "purchase_timeline": "1_3m"})
    asked = api("rep1", "post", f"/api/v1/lead/{lead['id']}/transition",
                json={"to": "solution", "comment": "客户已明确需求，直接出方案"})
    assert asked.status_code == 202, asked.get_json()
    approval = asked.get_json()["approval_id"]
    with app.app_context():
        st = state()
        update(Context(Actor.system_actor(), st.db.session, st.models, channel="test"),
               "lead", lead["id"], {"stage": "discovery"})
    assert f"审批 #{approval} 已撤销：记录已转到其他阶段" in titles(api, "rep1", "zh")
    assert (f"Approval #{approval} withdrawn: the record moved to another stage"
            in titles(api, "rep1", "en"))
