"""REST conventions: OpenAPI, validation errors per field, optimistic locking, paging."""

from __future__ import annotations

import uuid

import prison


def web_source(api):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


def test_openapi_documents_every_entity(api, client):
    spec = api("admin", "get", "/api/v1/_openapi").get_json()
    for entity in ("lead", "account", "contact", "followup", "task", "contract", "tag",
                   "source"):
        assert f"/api/v1/{entity}/" in spec["paths"], entity
    lead = spec["components"]["schemas"]["LeadCreate"]["properties"]
    assert {"customer_name", "budget_min", "need_tags", "owner"} <= set(lead)


def test_validation_errors_name_every_field(api):
    response = api("rep1", "post", "/api/v1/lead/", json={
        "industry": "spaceflight", "contact_email": "not-an-email", "budget_min": "-5",
        "contact_phone": "12", "mystery": 1}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["customer_name"] == ["Company name is required"]
    assert errors["need_description"] == ["Core need is required"]
    assert "is not an option" in errors["industry"][0]
    assert errors["contact_email"] == ["Not a valid email address."]
    assert errors["budget_min"] and errors["contact_phone"]
    assert errors["mystery"] == ["unknown field 'mystery'"]


def test_unique_value_is_refused_with_a_field_message(api):
    code = f"U{uuid.uuid4().hex[:6].upper()}"
    assert api("admin", "post", "/api/v1/source/", json={
        "code": code, "name": "唯一"}).status_code == 201
    again = api("admin", "post", "/api/v1/source/", json={"code": code, "name": "又一个"})
    assert again.status_code == 422  # in Chinese unless the client asks for English
    assert again.get_json()["errors"]["code"] == [f"“{code}”已被其他记录使用"]


def test_stale_version_is_a_409(api):
    body = {"customer_name": f"锁测试{uuid.uuid4().hex[:8]}", "industry": "trade",
            "contact_name": "钱经理", "source": web_source(api), "need_description": "x"}
    created = api("rep1", "post", "/api/v1/lead/", json=body).get_json()
    pk, version = created["id"], created["result"]["version"]
    first = api("rep1", "put", f"/api/v1/lead/{pk}", json={"remark": "a", "version": version})
    assert first.status_code == 200 and first.get_json()["result"]["version"] == version + 1
    stale = api("rep1", "put", f"/api/v1/lead/{pk}", json={"remark": "b", "version": version})
    assert stale.status_code == 409
    assert "该记录已被他人修改" in stale.get_json()["message"]  # the app's language: zh


def test_defaults_stamps_and_paging(api, tokens):
    body = {"customer_name": f"默认值{uuid.uuid4().hex[:8]}", "industry": "trade",
            "contact_name": "孙经理", "source": web_source(api), "need_description": "x"}
    result = api("rep2", "post", "/api/v1/lead/", json=body).get_json()["result"]
    assert result["status"] == "new"
    assert result["unit"] == "east" and result["version"] == 1
    assert result["config_version"] == 1  # the config version it was saved under
    query = prison.dumps({"page": 0, "page_size": 1, "order_column": "id",
                          "order_direction": "desc"})
    page = api("rep2", "get", f"/api/v1/lead/?q={query}").get_json()
    assert len(page["result"]) == 1 and page["count"] >= 1
    assert page["result"][0]["customer_name"] == body["customer_name"]


def test_not_json_body_is_400(api):
    response = api("rep1", "post", "/api/v1/lead/", data="x", content_type="text/plain")
    assert response.status_code == 400
