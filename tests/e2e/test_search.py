"""Global search: ``GET /api/v1/search?q=`` and the page ``/search/?q=`` find records in the
caller's scope (a phone in any format, a lead number, a company name also fuzzily) and show
only a notice (number, status, masked owner) for another rep's lead."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import login


@pytest.fixture(scope="module")
def web(app, tokens):
    rows = app.test_client().get("/api/v1/source/", headers={
        "Authorization": f"Bearer {tokens['admin']}"}).get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


@pytest.fixture(scope="module")
def lead(api_module, web):
    """rep1's lead with a fresh mobile number and a fresh company name."""
    phone = f"138{uuid.uuid4().int % 10**8:08d}"
    name = f"上海{uuid.uuid4().hex[:4]}精密机械有限公司"
    response = api_module("rep1", "post", "/api/v1/lead/", json={
        "customer_name": name, "industry": "manufacturing", "contact_name": "周明远",
        "contact_phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", "source": web,
        "need_description": "需要销售管理系统", "budget_status": "unclear"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


@pytest.fixture(scope="module")
def api_module(app, tokens):
    client = app.test_client()

    def call(user, method, url, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def found(api, user, q, **kwargs):
    response = api(user, "get", "/api/v1/search", query_string={"q": q}, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def lead_ids(answer):
    return [r["id"] for r in answer["results"] if r["entity"] == "lead"]


def test_a_phone_in_any_format_finds_the_lead_first(api, lead):
    phone = lead["contact_phone"]
    assert len(phone) == 11
    for typed in (f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", phone, f"0086{phone}",
                  f"{phone[:3]} {phone[3:7]} {phone[7:]}"):
        answer = found(api, "rep1", typed)
        assert answer["q"] == typed.strip()
        first = answer["results"][0]
        assert (first["entity"], first["id"]) == ("lead", lead["id"]), typed
        assert first["url"] == f"/lead/show/{lead['id']}"
        assert first["title"] == lead["customer_name"]
        assert phone in first["subtitle"] and "联系电话" in first["subtitle"]
        assert answer["notices"] == []
    # its last digits find it too, after exact matches
    assert lead["id"] in lead_ids(found(api, "rep1", phone[-6:]))


def test_the_lead_number_and_the_contact_name(api, lead):
    answer = found(api, "rep1", lead["lead_no"])
    assert lead_ids(answer)[0] == lead["id"]
    assert "线索编号" in answer["results"][0]["subtitle"]
    assert lead["id"] in lead_ids(found(api, "rep1", "周明远"))
    # status and grade read as labels, not codes
    subtitle = answer["results"][0]["subtitle"]
    assert "线索状态" in subtitle and ": new" not in subtitle and "：new" not in subtitle


def test_a_misspelt_company_name_still_finds_it(api, lead):
    name = lead["customer_name"]
    typo = name.replace("精密", "精蜜")
    assert typo != name and typo not in name
    assert lead["id"] in lead_ids(found(api, "rep1", typo))
    assert lead["id"] in lead_ids(found(api, "rep1", name[2:8]))


def test_another_rep_gets_a_notice_not_the_lead(api, lead):
    for typed in (lead["contact_phone"], lead["customer_name"]):
        answer = found(api, "rep3", typed)
        assert lead["id"] not in lead_ids(answer)
        notice = next(n for n in answer["notices"] if n["lead_no"] == lead["lead_no"])
        assert notice["owner"].endswith("*") and "rep1" not in notice["owner"]
        assert notice["status"] and notice["status"] != lead["status"]  # a label
        assert set(notice) == {"lead_no", "status", "owner"}
    # nor does the lead number reach it
    assert lead["id"] not in lead_ids(found(api, "rep3", lead["lead_no"]))
    # its supervisor's team holds the lead: a result, no notice
    answer = found(api, "sup1", lead["contact_phone"])
    assert lead_ids(answer)[0] == lead["id"] and answer["notices"] == []


def test_other_entities_are_searched_too(api):
    """An account by a part of its name, a contact by its mobile: in the owner's scope only."""
    name = f"杭州{uuid.uuid4().hex[:6]}科技有限公司"
    account = api("rep1", "post", "/api/v1/account/", json={
        "name": name, "industry": "it_software"})
    assert account.status_code == 201, account.get_json()
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    contact = api("rep1", "post", "/api/v1/contact/", json={
        "name": "钱晓东", "account": account.get_json()["id"], "mobile": mobile})
    assert contact.status_code == 201, contact.get_json()
    hits = found(api, "rep1", name[2:8])["results"]
    assert {"entity": "account", "id": account.get_json()["id"]}.items() <= hits[0].items()
    by_mobile = found(api, "rep1", f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}")["results"]
    assert (by_mobile[0]["entity"], by_mobile[0]["title"]) == ("contact", "钱晓东")
    assert found(api, "rep3", name[2:8])["results"] == []


def test_hidden_fields_are_neither_searched_nor_shown(api, lead):
    """Finance may read leads but not their phone: the phone finds nothing, no notice."""
    answer = found(api, "fin1", lead["contact_phone"])
    assert answer == {"q": lead["contact_phone"], "results": [], "notices": []}
    by_name = found(api, "fin1", lead["customer_name"])
    assert lead_ids(by_name)[0] == lead["id"]
    assert lead["contact_phone"] not in str(by_name) and "联系电话" not in str(by_name)


def test_too_short_is_422_in_the_callers_language(api):
    for q in ("", "x", " 1 "):
        response = api("rep1", "get", "/api/v1/search", query_string={"q": q})
        assert response.status_code == 422
        assert response.get_json()["errors"]["q"] == ["请至少输入 2 个字符再搜索"]
    english = api("rep1", "get", "/api/v1/search?q=x", headers={"Accept-Language": "en"})
    assert english.get_json()["errors"]["q"] == ["type at least 2 characters to search"]


def test_the_results_page(app, lead):
    rep1 = login(app, "rep1")
    page = rep1.get("/search/", query_string={"q": lead["contact_phone"]}).data.decode()
    assert f'href="/lead/show/{lead["id"]}"' in page and lead["customer_name"] in page
    assert "线索" in page and 'id="ll-search"' in page
    other = login(app, "rep3").get("/search/", query_string={
        "q": lead["contact_phone"]}).data.decode()
    assert f"/lead/show/{lead['id']}" not in other and lead["customer_name"] not in other
    assert lead["lead_no"] in other and "该号码已存在于他人线索" in other
    short = rep1.get("/search/?q=x")
    assert short.status_code == 200 and "请至少输入 2 个字符" in short.data.decode()
    assert 'id="ll-search"' in rep1.get("/").data.decode()  # the box on every page
