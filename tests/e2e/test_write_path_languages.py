"""The write path's refusals, field messages, schedules and org labels in the caller's
language: REST answers follow ``Accept-Language`` (default: the app's, zh), pages the
language chosen in the menu."""

from __future__ import annotations

import uuid

import pytest

from leadloom.web.labels import role_label, team_label, unit_label, user_place
from leadloom.web.schedules import schedule_text
from tests.e2e.conftest import login, make_lead

EN = {"Accept-Language": "en"}


def lead_body(api, **extra):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    source = next(r["id"] for r in rows if r["code"] == "WEB")
    return {"customer_name": f"语言客户{uuid.uuid4().hex[:8]}", "industry": "trade",
            "contact_name": "吴经理", "source": source, "need_description": "CRM", **extra}


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "找不到线索 #987654"), ({"Accept-Language": "zh"}, "找不到线索 #987654"),
    (EN, "Lead #987654 not found")])
def test_a_missing_record(api, headers, expected):
    answer = api("rep1", "get", "/api/v1/lead/987654", headers=headers)
    assert answer.status_code == 404
    assert answer.get_json()["message"] == expected


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "找不到审批 #987654"), (EN, "approval #987654 not found")])
def test_a_missing_approval(api, headers, expected):
    answer = api("sup1", "post", "/api/v1/approvals/987654/approve", json={},
                 headers=headers)
    assert answer.status_code == 404
    assert answer.get_json()["message"] == expected


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "核心需求描述为必填"), (EN, "Core need is required")])
def test_a_required_field_is_named(api, headers, expected):
    body = lead_body(api)
    del body["need_description"]
    answer = api("rep1", "post", "/api/v1/lead/", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["need_description"] == [expected]


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "以下字段有误：客户名称、核心需求描述"),
    (EN, "invalid fields: Customer name, Core need")])
def test_the_summary_names_fields_by_their_labels(api, headers, expected):
    body = lead_body(api)
    del body["need_description"], body["customer_name"]
    answer = api("rep3", "post", "/api/v1/lead/", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["message"] == expected


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "赢单在合同确认后自动进入"), (EN, "Won follows the contract's confirmation")])
def test_a_refused_move(api, headers, expected):
    pk = api("rep1", "post", "/api/v1/lead/", json=lead_body(api)).get_json()["id"]
    answer = api("rep1", "post", f"/api/v1/lead/{pk}/transition", json={"to": "won"},
                 headers=headers)
    assert answer.status_code == 422
    assert expected in answer.get_json()["message"]


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, "线索 #%s 刚被他人修改：已显示其最新状态"),
    (EN, "Lead #%s was changed by someone else meanwhile; it is shown as it is now")])
def test_a_stale_move(api, headers, expected):
    created = api("rep1", "post", "/api/v1/lead/", json=lead_body(api)).get_json()
    pk, version = created["id"], created["result"]["version"]
    api("rep1", "put", f"/api/v1/lead/{pk}", json={"remark": "moved on", "version": version})
    answer = api("rep1", "post", f"/api/v1/lead/{pk}/transition",
                 json={"to": "discovery", "version": version}, headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["message"] == expected % pk


def test_an_unknown_stage_in_english(api):
    pk = api("rep1", "post", "/api/v1/lead/", json=lead_body(api)).get_json()["id"]
    answer = api("rep1", "post", f"/api/v1/lead/{pk}/transition", json={"to": "nowhere"},
                 headers=EN)
    assert answer.get_json()["errors"]["to"][0].startswith("unknown stage 'nowhere'")


def test_a_refused_edit_on_the_page_follows_the_menu_language(app, ids):
    pk, name = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    form = {"customer_name": name, "industry": "trade", "contact_name": "周经理",
            "source": str(ids["web"]), "need_description": "x", "status": "new"}
    assert client.post(f"/lead/edit/{pk}", data={**form, "version": "1"}).status_code == 302
    page = client.post(f"/lead/edit/{pk}", data={**form, "version": "1"}).data.decode()
    assert "该记录已被他人修改（当前版本" in page and "你编辑的是版本 1）" in page
    client.get("/lang/en")
    page = client.post(f"/lead/edit/{pk}", data={**form, "version": "1"}).data.decode()
    assert "this record was changed by someone else (now version" in page


@pytest.mark.parametrize(("cron", "zh", "en"), [
    ("0 9 * * 1", "每周一 09:00", "Mondays 09:00"),
    ("30 8 * * 1-5", "工作日 08:30", "weekdays 08:30"),
    ("0 18 * * 1,3", "每周一、周三 18:00", "Mondays, Wednesdays 18:00"),
    ("0 9 * * 0", "每周日 09:00", "Sundays 09:00"),
    ("0 9 3 * *", "每月 3 日 09:00", "monthly on day 3, 09:00"),
    ("15 7 * * *", "每天 07:15", "every day 07:15"),
    ("*/5 * * * *", "*/5 * * * *", "*/5 * * * *"),
])
def test_schedules_read_as_words(app, cron, zh, en):
    for language, expected in (("zh", zh), ("en", en)):
        with app.test_request_context("/api/v1/reports/", headers={"Accept-Language": language}):
            assert schedule_text(cron) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", ("华东大区", "华东一组", "销售代表", "rep1 · 华东一组 · 华东大区")),
    ("en", ("East", "East team 1", "Sales rep", "rep1 · East team 1 · East"))])
def test_org_codes_read_as_labels(app, language, expected):
    with app.test_request_context("/api/v1/", headers={"Accept-Language": language}):
        assert (unit_label("east"), team_label("east-1"), role_label("rep"),
                user_place("rep1", "east-1", "east")) == expected
        assert unit_label("north") == "north" and user_place("admin", None, None) == "admin"
