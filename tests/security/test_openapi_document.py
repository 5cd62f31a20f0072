"""The OpenAPI document: every role may read it, it is written for the caller, and it says
what the answers really hold (integer ids, money as decimal text, times with offsets)."""

from __future__ import annotations

import pytest

USERS = ["admin", "sup1", "rep1", "fin1", "mkt1"]


@pytest.fixture(scope="module")
def specs(app, tokens):
    client = app.test_client()
    found = {}
    for user in USERS:
        response = client.get("/api/v1/_openapi", headers={
            "Authorization": f"Bearer {tokens[user]}"})
        assert response.status_code == 200, (user, response.get_json())
        found[user] = response.get_json()
    return found


def test_the_document_is_written_for_the_caller(specs):
    rep = specs["rep1"]["components"]["schemas"]
    sup = specs["sup1"]["components"]["schemas"]
    assert "owner" not in rep["LeadCreate"]["properties"] and "owner" in sup["LeadCreate"][
        "properties"]
    assert "grade_auto" not in rep["LeadCreate"]["properties"]
    assert "contract_term_months" in rep["LeadCreate"]["properties"]  # east's own field
    assert "contract_term_months" not in specs["admin"]["components"]["schemas"][
        "LeadCreate"]["properties"]  # admin belongs to no unit
    assert {"customer_name", "need_description"} <= set(rep["LeadCreate"]["required"])
    assert "contact_phone" not in specs["fin1"]["components"]["schemas"]["LeadRecord"][
        "properties"]  # hidden from finance


def test_types_say_what_answers_hold(specs):
    schemas = specs["admin"]["components"]["schemas"]
    record = schemas["LeadRecord"]["properties"]
    assert record["id"]["type"] == "integer" and record["owner"]["type"] == "integer"
    assert record["budget_min"]["type"] == "string" and "pattern" in record["budget_min"]
    sent = schemas["LeadCreate"]["properties"]["budget_min"]["anyOf"]
    assert [s["type"] for s in sent] == ["string", "number"]
    assert sent[1]["maximum"] == 999_999_999_999
    assert record["created_at"]["format"] == "date-time"
    term = specs["rep1"]["components"]["schemas"]["LeadCreate"]["properties"][
        "contract_term_months"]
    assert (term["minimum"], term["maximum"]) == (1, 120)
    assert schemas["Info"]["properties"]["add_columns"]["type"] == "array"


def test_every_custom_endpoint_is_documented(specs):
    paths = specs["admin"]["paths"]
    for path, ops in paths.items():
        if path.startswith(("/api/v1/security/", "/api/{version}")):
            continue  # FAB's own login and document
        for method, op in ops.items():
            assert op.get("responses"), f"{method.upper()} {path} documents no answers"
            public = path.startswith("/intake/")  # no login: a token per form instead
            assert "401" in op["responses"] or public, f"{method.upper()} {path}"
            if "{" in path:
                assert op.get("parameters"), f"{method.upper()} {path} has no parameters"
    for path in ("/api/v1/lead/{pk}/transition", "/api/v1/approvals/{pk}/approve",
                 "/api/v1/leads/{pk}/assign", "/api/v1/reports/{name}/run"):
        assert "requestBody" in paths[path]["post"], path


def test_money_sent_as_neither_text_nor_a_number_is_refused(api):
    """Text or a JSON number (read exactly: tests/security/test_bad_input.py); nothing else."""
    refused = api("rep1", "post", "/api/v1/lead/", json={"budget_min": [1]})
    assert refused.status_code == 422 and refused.get_json()["errors"]["budget_min"]
