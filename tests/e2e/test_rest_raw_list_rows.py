"""The REST list reads its page as plain rows, not records: each item is still the record
as its own GET shows it to that reader (tags, hidden fields, exact decimals, times with
their offset, each unit's fields), and the request takes a handful of statements."""

from __future__ import annotations

import uuid

import prison
import pytest

from bench.pages import captured
from leadloom.web.state import state

NEWEST = "/api/v1/lead/?q=" + prison.dumps(
    {"order_column": "id", "order_direction": "desc", "page_size": 100})
#: signed-in user (with the permission stamp), count, page, the page's tags
LIST_STATEMENTS = 4


@pytest.fixture()
def tagged_lead(api):
    """rep1's lead with two need tags, a budget and a next follow-up time."""
    tags = [api("admin", "post", "/api/v1/tag/", json={
        "name": f"需求{uuid.uuid4().hex[:8]}", "group": "need"}).get_json()["id"]
        for _ in range(2)]
    sources = api("admin", "get", "/api/v1/source/").get_json()["result"]
    created = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": f"行客户{uuid.uuid4().hex[:8]}", "industry": "trade",
        "contact_name": "吴经理", "contact_phone": "13900139000", "budget_min": "1200.50",
        "source": next(s["id"] for s in sources if s["code"] == "WEB"),
        "need_description": "列表", "need_tags": tags})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"], tags


@pytest.mark.parametrize("user", ["rep1", "sup1", "fin1", "admin"])
def test_list_items_are_the_records_as_their_get_shows_them(api, tagged_lead, user):
    listed = api(user, "get", NEWEST).get_json()
    assert listed["ids"] == [item["id"] for item in listed["result"]]
    assert listed["ids"], "the reader sees leads"
    for item in listed["result"]:
        assert item == api(user, "get", f"/api/v1/lead/{item['id']}").get_json()["result"]


def test_the_owner_sees_tags_exact_decimals_and_offsets_in_the_list(api, tagged_lead):
    pk, tags = tagged_lead
    listed = api("rep1", "get", NEWEST).get_json()
    mine = next(item for item in listed["result"] if item["id"] == pk)
    assert sorted(t["id"] for t in mine["need_tags"]) == sorted(tags)
    assert all(t["name"].startswith("需求") for t in mine["need_tags"])
    assert mine["budget_min"] == "1200.50"
    assert mine["created_at"].endswith("+08:00")


def test_a_list_takes_a_handful_of_statements(app, api, tagged_lead):
    api("rep1", "get", NEWEST)  # the role set and the public role are read once
    with app.app_context():
        engine = state().db.engine
    with captured(engine) as found:
        assert api("rep1", "get", NEWEST).status_code == 200
    assert len(found) <= LIST_STATEMENTS, "\n".join(s.sql[:120] for s in found)
    assert not [s for s in found if "FROM ab_role" in s.sql]


@pytest.mark.parametrize(("q", "message"), [
    ("-1.7697238950169004e%2B16", "Not a valid rison/json argument"),  # prison: ValueError
    ("!" + "(" * 2000, "Not a valid rison/json argument"),  # prison: RecursionError
    ("(page:first)", "Not a valid rison schema 'first' is not of type 'integer'"),
    ('{"page_size":10}', None),  # JSON, as FAB also reads it
])
def test_a_q_that_cannot_be_read_is_a_400(api, q, message):
    answer = api("rep1", "get", f"/api/v1/lead/?q={q}")
    if message is None:
        assert answer.status_code == 200 and len(answer.get_json()["result"]) <= 10
    else:
        assert (answer.status_code, answer.get_json()["message"]) == (400, f"请求无效：{message}")


@pytest.mark.parametrize("path", ["/api/v1/lead/_info", "/api/v1/followup/_info"])
def test_a_q_that_cannot_be_read_is_a_400_on_other_routes_too(api, path):
    answer = api("rep1", "get", f"{path}?q=-1.7697238950169004e%2B16")
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "请求无效：Not a valid rison/json argument"
