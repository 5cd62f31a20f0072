"""Contracts and finance: reaching 成交签约 needs a contract; it waits for finance; only a
confirmed contract counts as won (the board's won count and amount, the lead's status that
every report counts) and returning it takes that back; an adjusted amount keeps its
variance and reason."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from leadloom.access import Actor
from leadloom.metadata.reports import ReportParameters
from leadloom.records import Context, update
from leadloom.reporting.context import SectionContext
from leadloom.reporting.periods import parse_period
from leadloom.reporting.sections.finance import finance_summary
from leadloom.web.state import state

BASE = {"industry": "manufacturing", "contact_name": "钱经理", "need_description": "CRM"}


@pytest.fixture
def source(api):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


def won(api):
    """The won figures of East's board as the supervisor sees them."""
    board = api("sup1", "get", "/api/v1/board/lead?unit=east").get_json()
    return board["won"]["count"], float(board["won"]["amount"])


def confirmed_in_report(app):
    """What the finance report (as fin1 sees it) counts as confirmed for September 2025."""
    with app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username="fin1")
        ctx = SectionContext(st.db.session, st.models, Actor(user.id, "fin1", ("finance",)),
                             parse_period("2025-09"), ReportParameters(period="month"), "zh",
                             ZoneInfo("Asia/Shanghai"), dt.datetime(2025, 10, 1))
        return finance_summary(ctx).data["confirmed"]


def negotiating_lead(app, api, source):
    """A lead of rep1's in 谈判推进, with the amounts signing needs."""
    with app.app_context():
        owner = state().appbuilder.sm.find_user(username="rep1").id
    pk = api("admin", "post", "/api/v1/lead/", json={
        "customer_name": f"财务客户{uuid.uuid4().hex[:10]}", "source": source, "owner": owner,
        "grade": "A", **BASE}).get_json()["id"]
    with app.app_context():
        st = state()
        update(Context(Actor.system_actor(), st.db.session, st.models, channel="test"), "lead",
               pk, {"stage": "negotiation", "expected_amount": "300000",
                    "expected_close_date": "2025-09-30"})
    return pk


def add_contract(api, lead, amount="300000.00"):
    account = api("rep1", "post", "/api/v1/account/", json={
        "name": f"财务客户{uuid.uuid4().hex[:8]}", "industry": "finance"}).get_json()["id"]
    created = api("rep1", "post", "/api/v1/contract/", json={
        "contract_no": f"HT{uuid.uuid4().hex[:10]}", "account": account, "lead": lead,
        "amount": amount, "sign_date": "2025-09-01", "product_type": ["license"]})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def lead_of(api, pk):
    return api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]


def test_signing_needs_a_contract(app, api, source):
    lead = negotiating_lead(app, api, source)
    refused = api("rep1", "post", f"/api/v1/lead/{lead}/transition", json={"to": "signing"})
    assert refused.status_code == 422
    assert refused.get_json()["message"] == (
        "进入成交签约需要一份合同(合同编号, 合同金额(元), 签约日期, 产品类型)")
    add_contract(api, lead)
    moved = api("rep1", "post", f"/api/v1/lead/{lead}/transition", json={"to": "signing"})
    assert moved.status_code == 200, moved.get_json()


def test_only_finance_confirmation_makes_a_deal_won_and_returning_takes_it_back(
        app, api, source):
    lead = negotiating_lead(app, api, source)
    contract = add_contract(api, lead)
    assert api("rep1", "post", f"/api/v1/lead/{lead}/transition",
               json={"to": "signing"}).status_code == 200
    count, amount = won(api)
    reported = confirmed_in_report(app)
    assert lead_of(api, lead)["status"] != "won"
    # finance confirms, adjusting the amount: a reason is needed, the variance is kept
    adjusted = {"finance_status": "confirmed", "finance_confirmed_amount": "298000.00"}
    no_reason = api("fin1", "put", f"/api/v1/contract/{contract}", json=adjusted)
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"] == {"finance_comment": ["调整确认金额需说明原因"]}
    done = api("fin1", "put", f"/api/v1/contract/{contract}",
               json={**adjusted, "finance_comment": "尾差2000元客户不付"})
    assert done.status_code == 200, done.get_json()
    row = done.get_json()["result"]
    assert row["finance_variance"] == "-2000.00" and row["finance_confirmed_by"]
    assert row["finance_confirmed_at"] and row["finance_comment"] == "尾差2000元客户不付"
    after = lead_of(api, lead)
    assert (after["stage"], after["status"]) == ("after_sales", "won")
    assert won(api) == (count + 1, amount + 298000.0)
    assert confirmed_in_report(app) == reported + 298000.0
    # finance returns it with a reason: no longer won, the lead waits in 成交签约 again
    refused = api("fin1", "put", f"/api/v1/contract/{contract}",
                  json={"finance_status": "returned"})
    assert refused.status_code == 422 and "finance_comment" in refused.get_json()["errors"]
    returned = api("fin1", "put", f"/api/v1/contract/{contract}", json={
        "finance_status": "returned", "finance_comment": "扫描件缺客户盖章"})
    assert returned.status_code == 200, returned.get_json()
    after = lead_of(api, lead)
    assert (after["stage"], after["status"]) == ("signing", "converted")
    assert won(api) == (count, amount)
    assert confirmed_in_report(app) == reported
    # the rep's correction sends it back to finance
    fixed = api("rep1", "put", f"/api/v1/contract/{contract}", json={"sign_date": "2025-09-02"})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["result"]["finance_status"] == "pending"
    timeline = api("rep1", "get", f"/api/v1/lead/{lead}/timeline").get_json()
    assert [p["stage"] for p in timeline["path"]][-3:] == ["signing", "after_sales", "signing"]


def test_finance_cannot_move_a_won_deal_around_its_contract(app, api, source):
    lead = negotiating_lead(app, api, source)
    contract = add_contract(api, lead, "50000.00")
    api("rep1", "post", f"/api/v1/lead/{lead}/transition", json={"to": "signing"})
    assert api("fin1", "put", f"/api/v1/contract/{contract}",
               json={"finance_status": "confirmed"}).status_code == 200
    refused = api("sup1", "post", f"/api/v1/lead/{lead}/transition", json={"to": "negotiation"})
    assert refused.status_code == 422
    assert "已成交的记录只在合同被退回时离开此阶段" in refused.get_json()["message"]
    closed = api("rep1", "post", f"/api/v1/lead/{lead}/transition", json={"to": "won"})
    assert closed.status_code == 200, closed.get_json()
    assert lead_of(api, lead)["status"] == "won"
