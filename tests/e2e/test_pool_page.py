"""The 公海 page: 50 leads a page with the total, a search that finds a phone written any
way, industry and grade drop-downs kept across pages, phones masked, and nothing of
another unit's pool."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest

from tests.e2e.conftest import login

C = {"budget_status": "unclear", "need_clarity": "vague"}


@pytest.fixture(scope="module")
def batch(app, tokens):
    """55 pool leads of east-1 under one tag (5 in trade), one with a known mobile."""
    client = app.test_client()
    auth = {"Authorization": f"Bearer {tokens['sup1']}"}
    web = next(r["id"] for r in client.get("/api/v1/source/", headers=auth).get_json()[
        "result"] if r["code"] == "WEB")
    tag = f"分页{uuid.uuid4().hex[:6]}"
    phone = f"138{uuid.uuid4().int % 10**8:08d}"
    made = []
    for i in range(55):
        body = {"customer_name": f"{tag}客户{i:02d}", "contact_name": "冯经理",
                "industry": "trade" if i % 11 == 0 else "manufacturing", "source": web,
                "need_description": "CRM", **C, **({"contact_phone": phone} if i == 7 else {})}
        response = client.post("/api/v1/lead/", headers=auth, json=body)
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json()["result"])
    return tag, phone, made


def _names(page: str, tag: str) -> set[str]:
    return set(re.findall(rf"{tag}客户\d\d", page))


@pytest.mark.slow
def test_paging_counts_and_filters_kept_across_pages(app, batch):
    tag, _, _ = batch
    rep1 = login(app, "rep1")
    first = rep1.get(f"/pool/?q={tag}").data.decode()
    assert "共 55 条" in first and len(_names(first, tag)) == 50
    assert f"/pool/?page=2&amp;q={quote(tag)}" in first  # the search is kept
    second = rep1.get(f"/pool/?q={tag}&page=2").data.decode()
    assert len(_names(second, tag)) == 5 and not _names(first, tag) & _names(second, tag)
    everything = rep1.get("/pool/").data.decode()
    total = int(re.search(r"共 (\d+) 条", everything).group(1))
    assert total >= 55 and len(re.findall(r'action="/pool/claim/', everything)) == 50
    trade = rep1.get(f"/pool/?q={tag}&industry=trade").data.decode()
    assert "共 5 条" in trade and len(_names(trade, tag)) == 5
    assert '<option value="trade" selected>批发零售/商贸</option>' in trade
    assert ">线索分级：全部</option>" in trade and "A级(高价值)" in trade


@pytest.mark.slow
def test_a_phone_in_any_format_finds_its_lead_masked(app, batch):
    tag, phone, made = batch
    rep1 = login(app, "rep1")
    written = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    page = rep1.get("/pool/", query_string={"q": written}).data.decode()
    assert "共 1 条" in page and _names(page, tag) == {f"{tag}客户07"}
    assert f"{phone[:3]}****{phone[-4:]}" in page and phone not in page
    number = rep1.get("/pool/", query_string={"q": made[3]["lead_no"]}).data.decode()
    assert _names(number, tag) == {f"{tag}客户03"}


@pytest.mark.slow
def test_a_rep_of_another_unit_sees_none_of_them(app, batch):
    tag, phone, _ = batch
    rep3 = login(app, "rep3")
    assert "共 0 条" in rep3.get(f"/pool/?q={tag}").data.decode()
    assert "共 0 条" in rep3.get("/pool/", query_string={"q": phone}).data.decode()
