"""Approval flows declared in config: field-change triggers with conditions (discount
tiers), parallel steps, N-of-M approvers, and the requester's inbox view."""

from __future__ import annotations

import os
import shutil
import threading
import uuid

import pytest
import sqlalchemy as sa

from leadloom.model.workflow import workflow_classes
from leadloom.records import RecordHook, approvals, hooks
from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import CONFIG, ORG, PASSWORD, build_app
from tests.helpers import replace_once


def add_lead(api, owner, **extra):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    source = next(r["id"] for r in rows if r["code"] == "WEB")
    response = api(owner, "post", "/api/v1/lead/", json={
        "customer_name": f"审批客户{uuid.uuid4().hex[:8]}", "industry": "healthcare",
        "contact_name": "陈主任", "source": source, "need_description": "HIS对接", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def discount(api, pk):
    return api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["discount_pct"]


def test_discount_tiers(api):
    pk = add_lead(api, "rep1")
    small = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "3"})
    assert small.status_code == 200 and "approval_id" not in small.get_json()
    assert discount(api, pk) == "3.0000"
    tier1 = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "8", "city": "杭州"})
    assert tier1.status_code == 200, tier1.get_json()
    body = tier1.get_json()
    assert body["approval_id"] and body["result"]["city"] == "杭州"  # the rest is saved
    assert discount(api, pk) == "3.0000" and "已提交审批" in body["notices"][0]
    item = api("sup1", "get", f"/api/v1/approvals/{body['approval_id']}").get_json()["result"]
    assert item["workflow"] == "discount" and item["proposal"] == {"discount_pct": "8.0000"}
    assert [s["label"] for s in item["steps"]] == ["销售主管审批"] and item["can_decide"]
    assert api("sup1", "post", f"/api/v1/approvals/{body['approval_id']}/approve",
               json={}).status_code == 200
    assert discount(api, pk) == "8.0000"


def test_a_high_discount_needs_supervisor_and_finance_in_parallel(api):
    pk = add_lead(api, "rep1")
    missing = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "20"})
    assert missing.status_code == 422 and "comment" in missing.get_json()["errors"]
    asked = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "20",
                                                            "_comment": "战略客户首单"})
    approval = asked.get_json()["approval_id"]
    # finance may decide first: the steps run in parallel
    first = api("fin1", "post", f"/api/v1/approvals/{approval}/approve", json={"comment": "ok"})
    assert first.status_code == 200 and first.get_json()["status"] == "pending"
    assert discount(api, pk) is None
    assert approval not in [i["id"] for i in api("fin1", "get", "/api/v1/approvals/")
                            .get_json()["result"]]
    done = api("sup1", "post", f"/api/v1/approvals/{approval}/approve", json={})
    assert done.get_json()["status"] == "approved"
    assert discount(api, pk) == "20.0000"
    mine = api("rep1", "get", "/api/v1/approvals/?mine=1").get_json()["result"]
    item = next(i for i in mine if i["id"] == approval)
    assert [v["voter"] for v in item["votes"]] == ["fin1", "sup1"]


def test_disqualifying_an_a_lead_needs_the_supervisor(api):
    pk = add_lead(api, "rep1")
    api("sup1", "put", f"/api/v1/lead/{pk}", json={"grade": "A"})
    asked = api("rep1", "put", f"/api/v1/lead/{pk}", json={
        "status": "invalid", "invalid_reason": "unrelated", "_comment": "需求与产品不符"})
    assert asked.status_code == 200, asked.get_json()
    assert asked.get_json()["approval_id"]
    assert api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["status"] != "invalid"


# ---- N of M, and the races, on an app of their own --------------------------------------

@pytest.fixture(scope="module")
def quorum(database_factory, tmp_path_factory):
    """The default CRM with a third and fourth supervisor in east-1, and a 2-of-M quorum of
    the owner's team's supervisors for discounts above 5 %."""
    config = tmp_path_factory.mktemp("quorum") / "config"
    shutil.copytree(CONFIG, config)
    replace_once(config / "workflows" / "discount.yaml",
                 "role: supervisor, relation: owner_team}",
                 "role: supervisor, relation: owner_team, required: 2}")
    app = build_app(config, database_factory())
    with app.app_context():
        for username, roles, team, unit in (*ORG, ("sup1b", ("supervisor",), "east-1", None),
                                            ("sup1c", ("supervisor",), "east-1", None)):
            add_user(username, roles=roles, password=PASSWORD, team=team, unit=unit)
    yield app
    with app.app_context():
        state().db.engine.dispose()


def caller(app):
    """Like the ``api`` fixture, for ``app``; a client per call, so threads share none."""
    tokens = {}

    def call(user, method, url, **kw):
        client = app.test_client()
        if user not in tokens:
            tokens[user] = client.post("/api/v1/security/login", json={
                "username": user, "password": PASSWORD, "provider": "db"}).get_json()[
                "access_token"]
        return getattr(client, method)(url, headers={"Authorization": f"Bearer {tokens[user]}"},
                                       **kw)

    return call


def test_two_of_three_supervisors_approve(quorum):
    api = caller(quorum)
    pk = add_lead(api, "rep1")
    approval = api("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "10"}).get_json()[
        "approval_id"]
    item = api("sup1b", "get", f"/api/v1/approvals/{approval}").get_json()["result"]
    assert item["steps"][0]["required"] == 2
    assert api("sup1", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).get_json()["status"] == "pending"
    assert api("sup1", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).status_code == 409  # one vote each
    assert discount(api, pk) is None
    assert api("sup1c", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).get_json()["status"] == "approved"
    assert discount(api, pk) == "10.0000"
    assert api("sup1b", "post", f"/api/v1/approvals/{approval}/approve",
               json={}).status_code == 409


# ---- races (PostgreSQL: row locks make the second writer wait, then see the new version) --

postgres = pytest.mark.skipif(not os.environ.get("LEADLOOM_TEST_DATABASE_URL"),
                              reason="needs PostgreSQL (LEADLOOM_TEST_DATABASE_URL)")


class Gate(RecordHook):
    """Holds every lead write until ``parties`` of them have read the record."""

    def __init__(self, parties):
        self.barrier = threading.Barrier(parties, timeout=20)

    def before_save(self, change):
        if change.entity.code == "lead" and not change.creating:
            self.barrier.wait()


def together(*calls):
    """Run the calls in threads at once; their responses in order."""
    results = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def trail_counts(app, pk):
    with app.app_context():
        st = state()
        classes = workflow_classes(st.models.metadata)
        count = st.db.session.scalar
        return (count(sa.select(sa.func.count()).where(classes.stage.record_id == pk,
                                                        classes.stage.entity == "lead")),
                count(sa.select(sa.func.count()).where(classes.vote.approval_id.in_(
                    sa.select(classes.approval.id).where(classes.approval.record_id == pk)))))


@pytest.mark.postgres
@postgres
def test_two_moves_at_once_one_wins_the_other_gets_409(quorum, monkeypatch):
    api = caller(quorum)
    pk = add_lead(api, "rep1")
    assert api("sup1", "put", f"/api/v1/lead/{pk}", json={"grade": "B"}).status_code == 200
    gate = Gate(2)
    monkeypatch.setattr(hooks, "BUILTIN_HOOKS", (lambda r: gate, *hooks.BUILTIN_HOOKS))
    monkeypatch.setattr(hooks, "_CACHE", {})
    first, second = together(
        lambda: caller_in_thread(quorum, api, "rep1", pk, {"to": "discovery"}),
        lambda: caller_in_thread(quorum, api, "sup1", pk, {
            "to": "lost", "values": {"lost_reason": "budget"}}))
    codes = sorted([first[0], second[0]])
    assert codes == [200, 409], (first, second)
    loser = first if first[0] == 409 else second
    winner = second if loser is first else first
    assert loser[1]["current"]["stage"] == winner[1]["result"]["stage"]
    assert trail_counts(quorum, pk)[0] == 2  # entered capture, then exactly one move


def caller_in_thread(app, api, user, pk, body):
    response = api(user, "post", f"/api/v1/lead/{pk}/transition", json=body)
    return response.status_code, response.get_json()


@pytest.mark.postgres
@postgres
def test_two_approvals_at_once_count_once(quorum, monkeypatch):
    api = caller(quorum)
    pk = add_lead(api, "rep1", budget_status="to_confirm", need_clarity="partial",
                  authority="influences", purchase_timeline="1_3m")
    approval = api("rep1", "post", f"/api/v1/lead/{pk}/transition",
                   json={"to": "solution", "comment": "客户急需方案"}).get_json()["approval_id"]
    api("sup1", "get", "/api/v1/approvals/"), api("sup1b", "get", "/api/v1/approvals/")
    barrier = threading.Barrier(2, timeout=20)
    real = approvals.place_of

    def place_of(*args):
        barrier.wait()
        return real(*args)

    monkeypatch.setattr(approvals, "place_of", place_of)
    first, second = together(
        lambda: api("sup1", "post", f"/api/v1/approvals/{approval}/approve", json={}),
        lambda: api("sup1b", "post", f"/api/v1/approvals/{approval}/approve", json={}))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    moves, votes = trail_counts(quorum, pk)
    assert (moves, votes) == (2, 1)
    assert api("admin", "get", f"/api/v1/lead/{pk}").get_json()["result"]["stage"] == "solution"
