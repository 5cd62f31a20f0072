"""Messages outside the write path (query limits, the body check, the pool's flashes) come
from the catalogs, in the caller's language."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, make_lead


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "应为 1 到 500 的整数"), ("en", "must be a whole number from 1 to 500")])
def test_a_query_limit_out_of_range(api, language, expected):
    answer = api("rep1", "get", "/api/v1/notifications/?limit=0",
                 headers={"Accept-Language": language})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["limit"] == [expected]


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "类型不对: 应为 integer"), ("en", "must be of type integer")])
def test_a_body_that_breaks_its_schema(api, language, expected):
    answer = api("admin", "post", "/api/v1/leads/1/assign", json={"owner": "x"},
                 headers={"Accept-Language": language})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["owner"] == [expected]


def flashed(client) -> list[str]:
    with client.session_transaction() as session:
        return [text for _, text in session.pop("_flashes", [])]


def test_the_pool_page_flashes_in_the_users_language(app, ids):
    lead, _ = make_lead(app, ids, "rep1")
    rep = login(app, "rep1")
    rep.post(f"/pool/merge/{lead}", data={"duplicate": ""})
    assert flashed(rep) == ["输入要合并的线索编号或ID"]
    rep.get("/lang/en")
    rep.post(f"/pool/release/{lead}", data={"reason": "no budget"})
    assert flashed(rep) == ["Returned to the pool"]
