"""The funnel board: a page per unit with one column per stage (count and expected
amount), scoped to the reader, and the approvals inbox page."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import login


def add_lead(api, owner, **extra):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    source = next(r["id"] for r in rows if r["code"] == "WEB")
    response = api(owner, "post", "/api/v1/lead/", json={
        "customer_name": f"看板客户{uuid.uuid4().hex[:8]}", "industry": "education",
        "contact_name": "冯老师", "source": source, "need_description": "排课系统",
        "expected_amount": "120000", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def column(board, stage):
    return next(c for c in board["columns"] if c["stage"] == stage)


def test_columns_count_and_sum_the_readers_records(api):
    before = api("rep1", "get", "/api/v1/board/lead").get_json()
    pk = add_lead(api, "rep1")
    after = api("rep1", "get", "/api/v1/board/lead").get_json()
    assert after["unit"] == "east"
    assert [c["stage"] for c in after["columns"]] == [
        "capture", "discovery", "solution", "negotiation", "signing", "after_sales", "won",
        "lost"]
    capture = column(after, "capture")
    assert capture["count"] == column(before, "capture")["count"] + 1
    assert float(capture["amount"]) == float(column(before, "capture")["amount"]) + 120000
    assert pk in [card["id"] for card in capture["cards"]]
    # rep2 shares the unit but not the scope; West has its own funnel (no negotiation)
    theirs = api("rep2", "get", "/api/v1/board/lead").get_json()
    assert pk not in [card["id"] for c in theirs["columns"] for card in c["cards"]]
    west = api("rep3", "get", "/api/v1/board/lead").get_json()
    assert west["unit"] == "west" and west["funnel"] == "west"
    assert "negotiation" not in [c["stage"] for c in west["columns"]]
    assert column(west, "solution")["label"] == "方案呈现"
    assert api("rep1", "get", "/api/v1/board/contract").status_code == 404


def test_the_board_page_offers_drag_and_drop(app, api):
    pk = add_lead(api, "rep1")
    page = login(app, "rep1").get("/board/lead/")
    assert page.status_code == 200
    html = page.data.decode()
    assert 'data-stage="negotiation"' in html and f'data-id="{pk}"' in html
    assert "/transition" in html and "pointerdown" in html and "ll-grip" in html
    assert "漏斗看板" in html and "审批中心" in html  # menu entries


def test_the_approvals_page_lists_what_waits_for_me(app, api):
    pk = add_lead(api, "rep1", budget_status="to_confirm", need_clarity="partial",
                  authority="influences", purchase_timeline="1_3m")
    asked = api("rep1", "post", f"/api/v1/lead/{pk}/transition",
                json={"to": "solution", "comment": "跳过需求挖掘"})
    assert asked.status_code == 202, asked.get_json()
    page = login(app, "sup1").get("/approvals/").data.decode()
    assert f"#{asked.get_json()['approval_id']}" in page and "跳过需求挖掘" in page
    record = login(app, "sup1").get(f"/lead/show/{pk}").data.decode()
    assert "审批中" in record and "同意" in record
    mine = login(app, "rep1").get("/approvals/").data.decode()
    assert "撤回" in mine
