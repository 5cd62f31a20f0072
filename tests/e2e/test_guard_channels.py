"""Every guard holds on every channel that can change a stage or a guarded field: the
record page's form, a REST update, the transition endpoint and an import
(``records.bulk_create``). None is a side door."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.records import Context, RecordInvalid, bulk_create, membership, update
from leadloom.web.state import state
from tests.e2e.conftest import login

#: what the contract form posts besides the amount
FORM = ("contract_no", "account", "lead", "sign_date", "payment_terms", "owner", "version")
BASE = {"industry": "manufacturing", "contact_name": "孙经理", "need_description": "CRM"}


@pytest.fixture(scope="module")
def world(app, tokens):
    client = app.test_client()

    def call(user, method, url, **kw):
        return getattr(client, method)(url, headers={"Authorization": f"Bearer {tokens[user]}"},
                                       **kw)

    with app.app_context():
        st = state()
        sm = st.appbuilder.sm
        users = {u: sm.find_user(username=u).id for u in ("rep1", "sup1", "fin1")}
        source = st.db.session.scalar(sa.select(st.models.cls("source").id).where(
            st.models.cls("source").code == "WEB"))
    return call, users, source


def rep_ctx(app, username="rep1"):
    st = state()
    user = st.appbuilder.sm.find_user(username=username)
    place = membership(st.db.session, st.models, user.id)
    actor = Actor(user.id, username, tuple(r.name for r in user.roles), team=place.team,
                  unit=place.unit)
    return Context(actor, st.db.session, st.models, channel="import")


def lead_in(app, api, users, source, stage):
    body = {"customer_name": f"通道客户{uuid.uuid4().hex[:10]}", "source": source,
            "owner": users["rep1"], "grade": "B", **BASE}
    pk = api("admin", "post", "/api/v1/lead/", json=body).get_json()["id"]
    with app.app_context():
        st = state()
        update(Context(Actor.system_actor(), st.db.session, st.models, channel="test"), "lead",
               pk, {"stage": stage})
    return pk, body["customer_name"]


def status_of(api, pk):
    return api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["status"]


def stage_of(api, pk):
    return api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["stage"]


#: (from stage, to stage, words of the refusal every channel must give)
MOVES = [
    ("negotiation", "signing", "完成谈判推进需填写: 预计金额, 预计成交日期"),
    ("signing", "after_sales", "售后维护在合同确认后自动进入"),
    ("capture", "won", "赢单在合同确认后自动进入"),
]


@pytest.mark.parametrize(("source_stage", "target", "words"), MOVES,
                         ids=[f"{a}-{b}" for a, b, _ in MOVES])
def test_stage_guards_hold_on_every_channel(app, world, source_stage, target, words):
    api, users, source = world
    pk, name = lead_in(app, api, users, source, source_stage)
    # the transition endpoint
    answer = api("rep1", "post", f"/api/v1/lead/{pk}/transition", json={"to": target})
    assert answer.status_code == 422 and words in answer.get_json()["message"]
    # a REST update
    answer = api("rep1", "put", f"/api/v1/lead/{pk}", json={"stage": target})
    assert answer.status_code == 422 and words in " ".join(answer.get_json()["errors"]["stage"])
    # the record page's form
    page = login(app, "rep1").post(f"/lead/edit/{pk}", data={
        "customer_name": name, "source": str(source), "stage": target, **BASE,
        "status": status_of(api, pk)})
    assert page.status_code == 200 and words in page.data.decode()
    assert stage_of(api, pk) == source_stage
    # an import (a new record may only start in the first stage)
    with app.app_context(), pytest.raises(RecordInvalid) as raised:
        bulk_create(rep_ctx(app), "lead", [{"customer_name": f"导入{uuid.uuid4().hex[:8]}",
                                            "source": source, "stage": target, **BASE}])
    assert "new records start in Capture" in raised.value.errors["0.stage"]  # web: 新记录只能从…


def test_status_won_is_not_a_side_door(app, world):
    api, users, source = world
    pk, name = lead_in(app, api, users, source, "negotiation")
    assert api("rep1", "put", f"/api/v1/lead/{pk}", json={"status": "won"}).status_code == 422
    page = login(app, "rep1").post(f"/lead/edit/{pk}", data={
        "customer_name": name, "source": str(source), "status": "won", "stage": "negotiation",
        **BASE})
    assert page.status_code == 200 and "售后维护在合同确认后自动进入" in page.data.decode()
    assert api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["status"] != "won"
    with app.app_context(), pytest.raises(RecordInvalid):
        bulk_create(rep_ctx(app), "lead", [{"customer_name": f"导入{uuid.uuid4().hex[:8]}",
                                            "source": source, "status": "won", **BASE}])


@pytest.fixture
def contract(app, world):
    """A pending contract of rep1's, for a lead of theirs in 谈判推进."""
    api, users, source = world
    pk, _ = lead_in(app, api, users, source, "negotiation")
    account = api("rep1", "post", "/api/v1/account/", json={
        "name": f"通道客户{uuid.uuid4().hex[:8]}", "industry": "it_software"})
    assert account.status_code == 201, account.get_json()
    created = api("rep1", "post", "/api/v1/contract/", json={
        "contract_no": f"HT{uuid.uuid4().hex[:10]}", "account": account.get_json()["id"],
        "lead": pk, "amount": "200000.00", "sign_date": "2025-06-01",
        "product_type": ["subscription"]})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"], pk, account.get_json()["id"]


def contract_of(api, pk):
    return api("admin", "get", f"/api/v1/contract/{pk}").get_json()["result"]


def test_a_rep_cannot_confirm_a_contract_on_any_channel(app, world, contract):
    api = world[0]
    pk, lead, account = contract
    answer = api("rep1", "put", f"/api/v1/contract/{pk}", json={"finance_status": "confirmed"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["finance_status"] == ["您的角色不能修改此字段"]
    form = login(app, "rep1")
    page = form.get(f"/contract/edit/{pk}").data.decode()
    assert 'name="finance_status"' not in page
    form.post(f"/contract/edit/{pk}", data={"finance_status": "confirmed",
                                             "finance_confirmed_amount": "1"})
    assert contract_of(api, pk)["finance_status"] == "pending"
    with app.app_context(), pytest.raises(RecordInvalid) as raised:
        bulk_create(rep_ctx(app), "contract", [{
            "contract_no": f"HT{uuid.uuid4().hex[:10]}", "account": account, "lead": lead,
            "amount": "1.00", "sign_date": "2025-06-01", "product_type": ["license"],
            "finance_status": "confirmed"}])
    assert "0.finance_status" in raised.value.errors
    # the lead cannot be moved past finance either
    assert api("rep1", "post", f"/api/v1/lead/{lead}/transition",
               json={"to": "after_sales"}).status_code == 422


def test_nobody_changes_a_confirmed_amount_except_through_an_approval(app, world, contract):
    api = world[0]
    pk = contract[0]
    confirmed = api("fin1", "put", f"/api/v1/contract/{pk}", json={"finance_status": "confirmed"})
    assert confirmed.status_code == 200, confirmed.get_json()
    # finance: read-only; admin and the rep: the change waits for an approval
    assert api("fin1", "put", f"/api/v1/contract/{pk}",
               json={"amount": "1.00"}).status_code == 422
    # the record page's form: the change waits for an approval (withdrawn here)
    form = login(app, "rep1")
    values = {k: v for k, v in contract_of(api, pk).items() if k in FORM}
    page = form.post(f"/contract/edit/{pk}", data={**values, "amount": "1.00",
                                                    "product_type": "subscription"},
                     follow_redirects=True)
    assert "已提交审批" in page.data.decode()
    assert contract_of(api, pk)["amount"] == "200000.00"
    mine = api("rep1", "get", "/api/v1/approvals/?mine=1").get_json()["result"]
    first = next(i["id"] for i in mine if i["record_id"] == pk and i["status"] == "pending")
    assert api("rep1", "post", f"/api/v1/approvals/{first}/cancel").status_code == 200
    # an import cannot touch it: a new contract cannot start confirmed (see above)
    # a REST update: the same
    asked = api("rep1", "put", f"/api/v1/contract/{pk}",
                json={"amount": "150000.00", "_comment": "客户缩减采购范围"})
    assert asked.status_code == 200, asked.get_json()
    approval = asked.get_json()["approval_id"]
    assert approval and asked.get_json()["result"]["amount"] == "200000.00"
    assert api("admin", "put", f"/api/v1/contract/{pk}",
               json={"amount": "9.00"}).status_code == 409  # waits for the approval
    # the owner's supervisor, then finance
    assert api("fin1", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).status_code == 403
    assert api("sup1", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).status_code == 200
    assert contract_of(api, pk)["amount"] == "200000.00"
    done = api("fin1", "post", f"/api/v1/approvals/{approval}/approve",
               json={"comment": "核对无误"})
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    after = contract_of(api, pk)
    assert after["amount"] == "150000.00" and after["finance_confirmed_amount"] == "150000.00"
    assert after["finance_status"] == "confirmed"
