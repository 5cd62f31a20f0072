"""Business-unit overlays end to end: East's own field, labels and options; West sees none."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import login


def lead_body(api, **extra):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    source = next(r["id"] for r in rows if r["code"] == "WEB")
    return {"customer_name": f"单元客户{uuid.uuid4().hex[:8]}", "industry": "manufacturing",
            "contact_name": "吴经理", "source": source, "need_description": "CRM", **extra}


def test_east_fills_its_own_field_west_cannot(api):
    east = api("rep1", "post", "/api/v1/lead/", json=lead_body(api, contract_term_months=24))
    assert east.status_code == 201, east.get_json()
    assert east.get_json()["result"]["contract_term_months"] == 24
    west = api("rep3", "post", "/api/v1/lead/", json=lead_body(api, contract_term_months=24),
               headers={"Accept-Language": "en"})
    assert west.status_code == 422
    assert west.get_json()["errors"] == {
        "contract_term_months": ["'contract_term_months' is not a field in this business unit"]}
    mine = api("rep3", "post", "/api/v1/lead/", json=lead_body(api)).get_json()
    assert "contract_term_months" not in mine["result"]
    listed = api("rep3", "get", "/api/v1/lead/").get_json()["result"]
    assert listed and all("contract_term_months" not in row for row in listed)


def test_unit_field_rules_apply(api):
    response = api("rep1", "post", "/api/v1/lead/", json=lead_body(api, contract_term_months=200))
    assert response.status_code == 422
    assert "contract_term_months" in response.get_json()["errors"]


def test_unit_option_is_choosable_only_in_its_unit(api):
    east = api("rep1", "post", "/api/v1/lead/", json=lead_body(api, industry="semiconductor"))
    assert east.status_code == 201
    west = api("rep3", "post", "/api/v1/lead/", json=lead_body(api, industry="semiconductor"),
               headers={"Accept-Language": "en"})
    assert west.status_code == 422
    assert west.get_json()["errors"]["industry"] == ["option 'semiconductor' is no longer "
                                                     "available"]


def test_screens_follow_the_unit(app, api):
    east_id = api("rep1", "post", "/api/v1/lead/", json=lead_body(
        api, contract_term_months=36)).get_json()["id"]
    east, west = login(app, "rep1"), login(app, "rep3")
    east_form = east.get("/lead/add").data.decode()
    west_form = west.get("/lead/add").data.decode()
    assert 'name="contract_term_months"' in east_form and "企业全称" in east_form
    assert 'name="contract_term_months"' not in west_form and "客户名称" in west_form
    assert "半导体" in east_form and "半导体" not in west_form
    assert "合同期限(月)" in east.get("/lead/list/").data.decode()
    assert "合同期限(月)" not in west.get("/lead/list/").data.decode()
    page = east.get(f"/lead/show/{east_id}").data.decode()
    assert "合同期限(月)" in page and ">36<" in page.replace(" ", "").replace("\n", "")
    # a supervisor of East edits the record in East's form, keeping the value
    sup = login(app, "sup1")
    assert 'name="contract_term_months"' in sup.get(f"/lead/edit/{east_id}").data.decode()
