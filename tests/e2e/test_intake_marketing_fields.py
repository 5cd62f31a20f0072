"""Marketing enters the phones and e-mails of the leads it brings in and sees them until the
lead is assigned (roles.yaml: ``shown_to_creator``), on every channel; never on leads
another marketing user entered."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login


@pytest.fixture(scope="module")
def mkt2(app, tokens):
    """A second marketing user, with a token."""
    from leadloom.web.users import add_user

    with app.app_context():
        add_user("mkt2", roles=("marketing",), password=PASSWORD)
    answer = app.test_client().post("/api/v1/security/login", json={
        "username": "mkt2", "password": PASSWORD, "provider": "db"})
    return answer.get_json()["access_token"]


def new_lead(api, ids, phone):
    """A lead mkt1 enters over REST with a phone (grade C: no rule takes it, it waits in
    the pool without an owner)."""
    answer = api("mkt1", "post", "/api/v1/lead/", json={
        "customer_name": f"市场客户{uuid.uuid4().hex[:10]}", "industry": "manufacturing",
        "contact_name": "冯经理", "contact_phone": phone, "contact_email": "feng@example.com",
        "source": ids["web"], "need_description": "展会名片", "budget_status": "unclear",
        "need_clarity": "vague"})
    assert answer.status_code == 201, answer.get_json()
    result = answer.get_json()["result"]
    assert result["owner"] is None and result["contact_phone"] == phone
    return answer.get_json()["id"], result["customer_name"]


def listed(api, user_or_headers, name):
    query = f"(filters:!((col:customer_name,opr:eq,value:'{name}')))"
    answer = api(user_or_headers, "get", f"/api/v1/lead/?q={query}")
    [row] = answer.get_json()["result"]
    return row


def test_the_creator_sees_the_phone_until_the_lead_is_assigned(app, api, ids):
    phone = f"137{uuid.uuid4().int % 10**8:08d}"
    lead, name = new_lead(api, ids, phone)
    assert api("mkt1", "get", f"/api/v1/lead/{lead}").get_json()["result"][
        "contact_phone"] == phone
    assert listed(api, "mkt1", name)["contact_email"] == "feng@example.com"
    page = login(app, "mkt1").get(f"/lead/show/{lead}").data.decode()
    assert phone in page
    assigned = api("sup1", "post", f"/api/v1/leads/{lead}/assign", json={"owner": ids["rep1"]})
    assert assigned.status_code == 200, assigned.get_json()
    after = api("mkt1", "get", f"/api/v1/lead/{lead}").get_json()["result"]
    assert "contact_phone" not in after and "contact_email" not in after
    assert "contact_phone" not in listed(api, "mkt1", name)
    assert phone not in login(app, "mkt1").get(f"/lead/show/{lead}").data.decode()


def test_another_marketing_user_never_sees_it(app, client, api, ids, mkt2):
    phone = f"136{uuid.uuid4().int % 10**8:08d}"
    lead, name = new_lead(api, ids, phone)
    headers = {"Authorization": f"Bearer {mkt2}"}
    other = client.get(f"/api/v1/lead/{lead}", headers=headers).get_json()["result"]
    assert other["owner"] is None and "contact_phone" not in other
    query = f"(filters:!((col:customer_name,opr:eq,value:'{name}')))"
    [row] = client.get(f"/api/v1/lead/?q={query}", headers=headers).get_json()["result"]
    assert "contact_phone" not in row


def test_the_add_form_takes_the_phone(app):
    mkt1 = login(app, "mkt1")
    form = mkt1.get("/lead/add").data.decode()
    assert 'name="contact_phone"' in form and 'name="budget_min"' not in form


def test_other_hidden_fields_stay_refused(api, ids):
    answer = api("mkt1", "post", "/api/v1/lead/", json={
        "customer_name": f"市场客户{uuid.uuid4().hex[:10]}", "industry": "manufacturing",
        "contact_name": "冯经理", "source": ids["web"], "need_description": "x",
        "budget_min": "1000"})
    assert answer.status_code == 422 and "budget_min" in answer.get_json()["errors"]
