from __future__ import annotations


def test_rep_creates_and_reads_lead(api):
    sources = api("rep1", "get", "/api/v1/source/").get_json()
    web = next(s["id"] for s in sources["result"] if s["code"] == "WEB")
    response = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": "上海恒鼎精密机械有限公司", "industry": "manufacturing",
        "contact_name": "张总", "contact_phone": "+86 138-1234-5678", "source": web,
        "need_description": "采购CRM系统"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"]["contact_phone"] == "13812345678"
    got = api("rep1", "get", f"/api/v1/lead/{body['id']}")
    assert got.status_code == 200
