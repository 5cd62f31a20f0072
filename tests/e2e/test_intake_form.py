"""The public web-to-lead form and the intake API (/intake/website): leads from outside are
kept — a bad phone is stored, flagged and 待核实 — and only missing essentials refuse them."""

from __future__ import annotations

import itertools
import uuid

import pytest
import sqlalchemy as sa

TOKEN = "intake-test-token-0123456789abcdef"
URL = "/intake/website"
_addresses = (f"10.13.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(autouse=True)
def _token(monkeypatch):
    monkeypatch.setenv("LEADLOOM_INTAKE_WEBSITE_TOKEN", TOKEN)


@pytest.fixture
def visitor(app):
    """A client with an address of its own, so the rate limit of one test spares the rest."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    return client


def company() -> str:
    return f"外部客户{uuid.uuid4().hex[:10]}"


def stored(app, customer_name):
    """The lead rows named ``customer_name`` as stored (no scope: what the database holds)."""
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        return st.db.session.scalars(sa.select(lead).where(
            lead.customer_name == customer_name)).all()


def test_the_page_is_public_chinese_and_has_a_honeypot(visitor):
    page = visitor.get(URL)
    text = page.data.decode()
    assert page.status_code == 200
    assert "官网咨询表单" in text and "联系电话" in text and 'name="homepage"' in text
    assert "退出" not in text and "navbar" not in text  # no login, no menu
    assert 'name="viewport"' in text


def test_a_bad_phone_from_the_form_is_kept_flagged_and_to_verify(app, visitor):
    name = company()
    page = visitor.post(URL, data={"customer_name": name, "contact_name": "王女士",
                                   "contact_phone": "138123456", "city": "上海"})
    assert page.status_code == 200 and "感谢您的咨询" in page.data.decode()
    [lead] = stored(app, name)
    assert lead.contact_phone == "138123456"
    assert lead.status == "to_verify" and "invalid_phone" in lead.screening_flags
    assert lead.lead_no.startswith("WEB-") and lead.owner_id is not None  # assigned
    assert lead.industry == "other" and lead.campaign == "官网常年咨询"


def test_a_value_no_field_can_hold_is_kept_in_raw_input(app, visitor):
    name = company()
    answer = visitor.post(URL, headers={"X-Intake-Token": TOKEN}, json={
        "customer_name": name, "contact_name": "李先生", "contact_email": "li@example.com",
        "industry": "鞋帽批发"})
    assert answer.status_code == 201, answer.get_json()
    [lead] = stored(app, name)
    assert lead.industry == "other" and "鞋帽批发" in lead.raw_input
    assert "invalid_value" in answer.get_json()["flags"] and lead.status == "to_verify"


def test_a_missing_contact_is_refused_with_a_clear_message(app, visitor):
    name = company()
    page = visitor.post(URL, data={"customer_name": name, "contact_name": "赵总"})
    text = page.data.decode()
    assert page.status_code == 422
    assert "请至少留下一种联系方式" in text and name in text  # the form again, as typed
    assert stored(app, name) == []


def test_the_honeypot_stores_nothing_but_thanks(app, visitor):
    name = company()
    page = visitor.post(URL, data={"customer_name": name, "contact_name": "机器人",
                                   "contact_phone": "13800138000",
                                   "homepage": "http://spam.example"})
    assert page.status_code == 200 and "感谢您的咨询" in page.data.decode()
    assert stored(app, name) == []


@pytest.mark.parametrize("headers", [{}, {"X-Intake-Token": "wrong"}])
def test_json_without_the_right_token_is_403(app, visitor, headers):
    name = company()
    answer = visitor.post(URL, headers=headers, json={
        "customer_name": name, "contact_name": "钱经理", "contact_phone": "13800138000"})
    assert answer.status_code == 403 and answer.get_json()["message"]
    assert stored(app, name) == []


def test_the_api_keeps_a_bad_phone_and_answers_the_number(app, visitor):
    name = company()
    answer = visitor.post(URL, headers={"X-Intake-Token": TOKEN}, json={
        "customer_name": name, "contact_name": "孙经理", "contact_phone": "1381234567"})
    body = answer.get_json()
    assert answer.status_code == 201, body
    assert set(body) == {"id", "number", "status", "flags"}
    assert body["status"] == "to_verify" and "invalid_phone" in body["flags"]
    assert body["number"].startswith("WEB-")
    assert stored(app, name)[0].contact_phone == "1381234567"


def test_the_api_refuses_a_missing_name_in_the_callers_language(app, visitor):
    answer = visitor.post(URL, headers={"X-Intake-Token": TOKEN, "Accept-Language": "en"},
                          json={"contact_name": "周经理", "contact_phone": "13800138000"})
    body = answer.get_json()
    assert answer.status_code == 422
    assert body["errors"]["customer_name"] == ["Customer name is required"]
    answer = visitor.post(URL, headers={"X-Intake-Token": TOKEN}, data={
        "customer_name": company(), "contact_name": "周经理"})
    assert answer.status_code == 422 and "联系电话" in answer.get_json()["errors"][
        "contact_phone"][0]


def test_a_repeat_by_the_same_phone_is_kept_as_a_duplicate(app, visitor):
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    first, second = company(), company()
    for name in (first, second):
        answer = visitor.post(URL, headers={"X-Intake-Token": TOKEN}, json={
            "customer_name": name, "contact_name": "吴经理", "contact_phone": phone})
        assert answer.status_code == 201, answer.get_json()
    [kept] = stored(app, second)
    assert kept.duplicate_hint and stored(app, first)[0].lead_no in kept.duplicate_hint


def test_the_rate_limit_answers_429(app, visitor):
    answers = [visitor.post(URL, headers={"X-Intake-Token": "wrong"}, json={})
               for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [403] * 10
    assert answers[10].status_code == 429 and answers[10].headers["Retry-After"]
    assert "次数过多" in answers[10].get_json()["message"]


def test_an_unknown_form_is_404(visitor):
    assert visitor.get("/intake/nope").status_code == 404
    assert visitor.post("/intake/nope", json={}).status_code == 404


def test_interactive_rest_stays_strict_about_the_same_phone(api, ids):
    answer = api("sup1", "post", "/api/v1/lead/", json={
        "customer_name": company(), "industry": "manufacturing", "contact_name": "郑经理",
        "contact_phone": "1381234567", "source": ids["web"],
        "need_description": "MES"})
    assert answer.status_code == 422 and "contact_phone" in answer.get_json()["errors"]


def test_the_openapi_document_describes_the_intake(api):
    document = api("admin", "get", "/api/v1/_openapi").get_json()
    post = document["paths"]["/intake/{form}"]["post"]
    assert {"201", "403", "422", "429"} <= set(post["responses"])
    assert "contact_phone" in document["components"]["schemas"]["IntakeLead"]["properties"]
