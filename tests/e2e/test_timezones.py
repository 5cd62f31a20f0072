"""Times over REST: a naive time is read in the app's zone (Asia/Shanghai), one with an
offset is converted, storage stays naive UTC and every answer carries its offset."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import prison
import pytest

from leadloom.records.leads import clock

WEB = prison.dumps({"filters": [{"col": "code", "opr": "eq", "value": "WEB"}]})
OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")


@pytest.fixture
def frozen(monkeypatch):
    """The lead rules' clock at 2024-03-20 11:00 in Shanghai (03:00 UTC)."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2024, 3, 20, 3, 0))


@pytest.fixture(scope="module")
def lead(api_module):
    web = api_module("admin", "get", f"/api/v1/source/?q={WEB}").get_json()["ids"][0]
    response = api_module("rep1", "post", "/api/v1/lead/", json={
        "customer_name": f"时区客户{uuid.uuid4().hex[:8]}", "industry": "trade",
        "contact_name": "冯经理", "source": web, "need_description": "CRM"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


@pytest.fixture(scope="module")
def api_module(app, tokens):
    client = app.test_client()

    def call(user, method, url, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def _followup(api, lead, when):
    return api("rep1", "post", "/api/v1/followup/", json={
        "lead": lead["id"], "occurred_at": when, "method": "phone",
        "summary": "电话沟通需求", "customer_feedback": "interested"})


def _stored(app, pk):
    from leadloom.web.state import state

    with app.app_context():
        cls = state().models.cls("followup")
        return state().db.session.get(cls, pk).occurred_at


def test_a_naive_time_is_read_in_the_apps_zone(app, api_module, lead, frozen):
    response = _followup(api_module, lead, "2024-03-20T10:00")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"]["occurred_at"] == "2024-03-20T10:00:00+08:00"
    assert body["result"]["late_entry"] is False
    assert _stored(app, body["id"]) == dt.datetime(2024, 3, 20, 2, 0)
    again = api_module("rep1", "get", f"/api/v1/followup/{body['id']}").get_json()["result"]
    assert again["occurred_at"] == "2024-03-20T10:00:00+08:00"


def test_a_time_with_an_offset_is_converted(app, api_module, lead, frozen):
    response = _followup(api_module, lead, "2024-03-20T01:30:00Z")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"]["occurred_at"] == "2024-03-20T09:30:00+08:00"
    assert _stored(app, body["id"]) == dt.datetime(2024, 3, 20, 1, 30)


def test_a_time_that_is_no_time_is_refused_with_the_field(api_module, lead, frozen):
    response = _followup(api_module, lead, "20.03.2024 10:00")
    assert response.status_code == 422
    assert "occurred_at" in response.get_json()["errors"]


def test_every_time_in_answers_carries_its_offset(api_module, lead):
    record = api_module("rep1", "get", f"/api/v1/lead/{lead['id']}").get_json()["result"]
    assert OFFSET.match(record["created_at"]) and OFFSET.match(record["updated_at"])
    listed = api_module("rep1", "get", "/api/v1/lead/").get_json()["result"]
    assert all(OFFSET.match(r["created_at"]) for r in listed)
    timeline = api_module("rep1", "get", f"/api/v1/lead/{lead['id']}/timeline").get_json()
    assert timeline["result"] and all(OFFSET.match(e["at"]) for e in timeline["result"])
    assert all(OFFSET.match(v["entered_at"]) for v in timeline["path"])
    entries = api_module("rep1", "get", f"/api/v1/leads/{lead['id']}/timeline").get_json()
    assert entries["result"] and all(OFFSET.match(e["at"]) for e in entries["result"])
    messages = api_module("rep1", "get", "/api/v1/notifications/").get_json()["result"]
    assert all(OFFSET.match(m["created_at"]) for m in messages)


def test_approvals_give_times_with_offsets(api_module, lead):
    record = api_module("rep1", "get", f"/api/v1/lead/{lead['id']}").get_json()["result"]
    asked = api_module("rep1", "put", f"/api/v1/lead/{lead['id']}", json={
        "discount_pct": "12.5", "version": record["version"], "_comment": "大客户"})
    assert asked.status_code == 200 and asked.get_json().get("approval_id"), asked.get_json()
    mine = api_module("rep1", "get", "/api/v1/approvals/?mine=1").get_json()["result"]
    found = next(a for a in mine if a["id"] == asked.get_json()["approval_id"])
    assert OFFSET.match(found["created_at"]) and found["decided_at"] is None
