"""The REST list's filter arguments (``?unit=``, ``?owner=``, the due dates …) and its
shared view are in the OpenAPI document, per caller: what the document allows the server
applies (200), what it refuses the server refuses (400, in Chinese by default)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BAD = {"unit": "north", "grade": "Z", "owner": "99999999999999999999",
       "expected_amount": "NaN..", "created_at": "9999-12-31",
       "next_followup_due_at": "2026-02-30", "customer_name": " "}


def declared(api, user: str) -> dict[str, dict]:
    spec = api(user, "get", "/api/v1/_openapi").get_json()
    operation = spec["paths"]["/api/v1/lead/"]["get"]
    return {p["name"]: p.get("schema", {}) for p in operation["parameters"]
            if p["in"] == "query"}


def test_the_document_declares_the_screens_filters_for_the_caller(api):
    sup1 = declared(api, "sup1")
    assert {"q", "view", "unit", "owner", "next_followup_due_at", "first_touch_due_at",
            "last_followup_at", "grade", "status", "stage", "created_at"} <= set(sup1)
    assert "overdue" in sup1["view"]["enum"]
    assert "contact_phone" in sup1 and "contact_phone" not in declared(api, "mkt1")


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_value_the_document_refuses_is_a_400_in_chinese(api, name):
    pattern = declared(api, "sup1")[name]["pattern"]
    assert not re.search(pattern, BAD[name])
    answer = api("sup1", "get", f"/api/v1/lead/?{name}={quote(BAD[name])}")
    assert answer.status_code == 400, answer.get_json()
    message = answer.get_json()["errors"][name][0]
    assert re.search("[\u4e00-\u9fff]", message), message


@pytest.mark.parametrize("name", ["unit", "owner", "next_followup_due_at", "grade",
                                  "expected_amount", "followup_count", "customer_name",
                                  "source"])
def test_every_value_the_document_allows_is_applied(api, name):
    pattern = declared(api, "sup1")[name]["pattern"]

    @settings(max_examples=15, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=st.from_regex(pattern, fullmatch=True))
    def check(text: str) -> None:
        answer = api("sup1", "get", f"/api/v1/lead/?{name}={quote(text)}")
        assert answer.status_code == 200, (text, answer.get_json())

    check()


@pytest.mark.parametrize("q", ["(order_column:nope)", "(order_column:grade,order_direction:up)",
                               "(page_size:-1)", "(filters:!((col:grade,opr:eq,value:Z)))",
                               "(order_column"])
def test_a_sort_or_page_the_server_cannot_apply_is_a_400_in_chinese(api, q):
    answer = api("sup1", "get", f"/api/v1/lead/?q={quote(q)}")
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    text = " ".join([body["message"], *(m for ms in body.get("errors", {}).values()
                                        for m in ms)])
    assert re.search("[\u4e00-\u9fff]", text), body
