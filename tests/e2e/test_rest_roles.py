"""The role matrix over the REST API: operations (403), row scope (404), fields (422)."""

from __future__ import annotations

import uuid

import prison as rison
import pytest

OWNERS = ("rep1", "rep3")
#: who sees a lead owned by rep1 (east-1) / rep3 (west-1)
SEES = {
    "admin": {"rep1", "rep3"}, "sup1": {"rep1"}, "sup2": {"rep3"}, "rep1": {"rep1"},
    "rep2": set(), "rep3": {"rep3"}, "rep4": set(), "fin1": {"rep1", "rep3"},
    "mkt1": {"rep1", "rep3"},
}
CAN_CREATE = {"admin": 201, "sup1": 201, "rep1": 201, "fin1": 403, "mkt1": 201}
#: status of PUT on rep1's lead
UPDATE_REP1 = {"admin": 200, "sup1": 200, "sup2": 404, "rep1": 200, "rep2": 404,
               "fin1": 403, "mkt1": 403}
#: status of DELETE on a lead of rep1
DELETE_REP1 = {"rep1": 403, "rep2": 403, "sup2": 404, "fin1": 403, "mkt1": 403, "sup1": 200,
               "admin": 200}


@pytest.fixture(scope="module")
def user_ids(app):
    from leadloom.web.state import state

    with app.app_context():
        sm = state().appbuilder.sm
        return {u: sm.find_user(username=u).id for u in SEES}


@pytest.fixture(scope="module")
def source_id(app, tokens):
    rows = app.test_client().get("/api/v1/source/", headers={
        "Authorization": f"Bearer {tokens['admin']}"}).get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


def new_lead(api, source_id, owner_id=None, **extra):
    marker = uuid.uuid4().hex[:10]
    body = {"customer_name": f"测试客户{marker}", "industry": "manufacturing",
            "contact_name": "李经理", "contact_phone": "13900001111", "source": source_id,
            "need_description": "需要CRM", **extra}
    if owner_id is not None:
        body["owner"] = owner_id
    response = api("admin", "post", "/api/v1/lead/", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], body["customer_name"]


@pytest.fixture(scope="module")
def leads(app, source_id, user_ids, tokens):
    client = app.test_client()

    def api(user, method, url, **kw):
        return getattr(client, method)(url, headers={
            "Authorization": f"Bearer {tokens[user]}"}, **kw)

    return {owner: new_lead(api, source_id, user_ids[owner]) for owner in OWNERS}


@pytest.mark.parametrize("user", sorted(SEES))
def test_list_and_get_follow_row_scope(api, leads, user):
    for owner, (pk, name) in leads.items():
        query = rison.dumps({"filters": [{"col": "customer_name", "opr": "eq",
                                          "value": name}]})
        listed = api(user, "get", f"/api/v1/lead/?q={query}").get_json()
        got = api(user, "get", f"/api/v1/lead/{pk}")
        if owner in SEES[user]:
            assert listed["ids"] == [pk]
            assert got.status_code == 200
        else:
            assert listed.get("ids", []) == []
            assert got.status_code == 404


@pytest.mark.parametrize(("user", "status"), sorted(CAN_CREATE.items()))
def test_create_needs_the_operation(api, source_id, user, status):
    response = api(user, "post", "/api/v1/lead/", json={
        "customer_name": f"新客户{uuid.uuid4().hex[:8]}", "industry": "trade",
        "contact_name": "王强", "source": source_id, "need_description": "了解产品"})
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(("user", "status"), sorted(UPDATE_REP1.items()))
def test_update_needs_operation_and_scope(api, source_id, user_ids, user, status):
    pk, _ = new_lead(api, source_id, user_ids["rep1"])
    response = api(user, "put", f"/api/v1/lead/{pk}", json={"remark": f"by {user}"})
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(("user", "status"), sorted(DELETE_REP1.items()))
def test_delete_needs_operation_and_scope(api, source_id, user_ids, user, status):
    pk, _ = new_lead(api, source_id, user_ids["rep1"])
    assert api(user, "delete", f"/api/v1/lead/{pk}").status_code == status
    expected_after = 404 if status == 200 else 200
    assert api("admin", "get", f"/api/v1/lead/{pk}").status_code == expected_after


def test_read_only_field_is_422_for_rep_but_not_supervisor(api, leads):
    pk, _ = leads["rep1"]
    refused = api("rep1", "put", f"/api/v1/lead/{pk}", json={"grade": "A"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"grade": ["您的角色不能修改此字段"]}
    assert api("sup1", "put", f"/api/v1/lead/{pk}", json={"grade": "A"}).status_code == 200


def test_rep_cannot_hand_a_lead_to_someone_else(api, leads, user_ids):
    pk, _ = leads["rep1"]
    response = api("rep1", "put", f"/api/v1/lead/{pk}", json={"owner": user_ids["rep2"]})
    assert response.status_code == 422
    assert "owner" in response.get_json()["errors"]


@pytest.mark.parametrize("user", ["fin1", "mkt1"])
def test_hidden_fields_are_not_returned_nor_filterable(api, leads, user):
    pk, _ = leads["rep1"]
    record = api(user, "get", f"/api/v1/lead/{pk}").get_json()["result"]
    assert "contact_phone" not in record and "budget_min" not in record
    rows = api(user, "get", "/api/v1/lead/").get_json()["result"]
    # marketing sees the phone of an unowned lead it created (tests/e2e/test_intake_*), and
    # the session's other tests may have left one: owned leads are never such
    owned = [r for r in rows if r.get("owner") is not None]
    assert owned and all("contact_phone" not in r for r in owned)
    query = rison.dumps({"filters": [{"col": "contact_phone", "opr": "eq",
                                      "value": "13900001111"}]})
    assert api(user, "get", f"/api/v1/lead/?q={query}").status_code == 400
    assert api("rep1", "get", f"/api/v1/lead/{pk}").get_json()["result"]["contact_phone"]


def test_marketing_cannot_write_hidden_field(api, source_id):
    # (the phone is hidden too, but shown to its creator: tests/e2e/test_intake_marketing_*)
    response = api("mkt1", "post", "/api/v1/lead/", json={
        "customer_name": f"市场线索{uuid.uuid4().hex[:8]}", "industry": "trade",
        "contact_name": "赵敏", "source": source_id, "need_description": "展会",
        "budget_max": "50000"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["budget_max"] == ["unknown field 'budget_max'"]


def test_finance_updates_only_finance_fields_of_contracts(api, leads):
    account = api("admin", "post", "/api/v1/account/", json={
        "name": f"合同客户{uuid.uuid4().hex[:8]}", "industry": "it_software"}).get_json()
    contract = api("rep1", "post", "/api/v1/contract/", json={
        "contract_no": f"HT{uuid.uuid4().hex[:8]}", "account": account["id"],
        "amount": "150000.00", "sign_date": "2025-03-01", "product_type": ["subscription"]})
    # rep1 cannot see the admin's account, so the reference is unknown to them
    assert contract.status_code == 422
    assert "account" in contract.get_json()["errors"]
    contract = api("admin", "post", "/api/v1/contract/", json={
        "contract_no": f"HT{uuid.uuid4().hex[:8]}", "account": account["id"],
        "amount": "150000.00", "sign_date": "2025-03-01", "product_type": ["subscription"]})
    pk = contract.get_json()["id"]
    # an adjusted amount needs a reason (workflows/contract_finance.yaml)
    assert api("fin1", "put", f"/api/v1/contract/{pk}", json={
        "finance_status": "confirmed", "finance_confirmed_amount": "148000",
        "finance_comment": "客户折让2000元"}).status_code == 200
    refused = api("fin1", "put", f"/api/v1/contract/{pk}", json={"amount": "1.00"},
                  headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"amount": ["read-only for your role"]}


@pytest.mark.parametrize("field", ["stage", "status", "expected_amount"])
def test_marketing_brings_leads_in_and_leaves_their_course_to_sales(api, source_id, field):
    value = {"stage": "negotiation", "status": "contacting", "expected_amount": "500000"}[field]
    response = api("mkt1", "post", "/api/v1/lead/", json={
        "customer_name": f"市场线索{uuid.uuid4().hex[:8]}", "industry": "trade",
        "contact_name": "赵敏", "source": source_id, "need_description": "展会", field: value})
    assert response.status_code == 422 and field in response.get_json()["errors"]
