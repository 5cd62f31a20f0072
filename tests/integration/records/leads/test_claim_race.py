"""Two people acting on one record at the same moment, over the REST API, with real threads
(each its own client, session and connection) released together by a barrier: claiming a
pool lead, two of its managers assigning it, two users moving it to the next stage.

Each round must have exactly one winner and one 409 (never a 500), and the winner's change
must be written once: one claim event and one audit row. 50 rounds on PostgreSQL (CI), 10
on SQLite, where writers queue anyway.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa

from leadloom.model.leads import LEAD_EVENT_TABLE
from leadloom.model.workflow import AUDIT_TABLE
from leadloom.records import create
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROUNDS = 50 if os.environ.get("LEADLOOM_TEST_DATABASE_URL") else 10
#: grade C: a supervisor's such lead goes to the public pool
C = {"budget_status": "unclear", "need_clarity": "vague"}
Call = Callable[[], Any]


def clients(world: Any, *users: str) -> dict[str, Callable[..., Any]]:
    """A REST caller per user, each with a test client of its own."""
    found = {}
    for user in users:
        client = world.app.test_client()
        token = client.post("/api/v1/security/login", json={
            "username": user, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
        found[user] = _caller(client, {"Authorization": f"Bearer {token}"})
    return found


def _caller(client: Any, headers: dict[str, str]) -> Callable[..., Any]:
    return lambda method, url, **kw: getattr(client, method)(url, headers=headers, **kw)


def at_once(*calls: Call) -> list[Any]:
    """Run ``calls`` in threads released together; their answers (or exceptions)."""
    start = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = calls[i]()
        except BaseException as exc:  # reported by the assertions
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def outcome(answers: list[Any]) -> tuple[list[Any], list[Any]]:
    """(winners, losers); anything but one 200 and one 409 fails with what was seen."""
    seen = [(a.status_code, a.get_json()) if hasattr(a, "status_code") else (500, repr(a))
            for a in answers]
    assert sorted(status for status, _ in seen) == [200, 409], seen
    return ([a for a in answers if a.status_code == 200],
            [a for a in answers if a.status_code == 409])


def rows(world: Any, table: str, **where: Any) -> list[Any]:
    t = world.models.metadata.tables[table]
    world.session.rollback()  # see what the threads committed
    return list(world.session.execute(sa.select(t).where(
        *(t.c[k] == v for k, v in where.items()))))


def pool_lead(world: Any, day: int) -> int:
    """A new lead in the public pool, on a day of its own (fresh daily claim limits)."""
    world.freeze((dt.datetime(2025, 3, 1, 10) + dt.timedelta(days=day)).isoformat(" "))
    return create(world.ctx("sup1"), "lead", world.lead(**C)).id


def test_two_reps_claiming_one_pool_lead_one_wins_the_other_hears_409(world):
    call = clients(world, "rep1", "rep2")
    winners: Counter[str] = Counter()
    for day in range(ROUNDS):
        lead = pool_lead(world, day)
        url = f"/api/v1/leads/{lead}/claim"
        [won], [lost] = outcome(at_once(partial(call["rep1"], "post", url),
                                        partial(call["rep2"], "post", url)))
        assert lost.get_json()["message"] == "已被领取"
        owner = won.get_json()["owner"]
        winners[owner] += 1
        claims = rows(world, LEAD_EVENT_TABLE, lead_id=lead, kind="claimed")
        assert [e.actor_id for e in claims] == [owner], f"round {day}: {claims}"
        assert len(rows(world, AUDIT_TABLE, entity="lead", record_id=lead,
                        channel="claim")) == 1
        assert world.row(world.models.cls("lead").__tablename__, lead).owner_id == owner
    assert sum(winners.values()) == ROUNDS


def test_two_pool_managers_assigning_one_pool_lead_one_wins(world):
    call = clients(world, "sup1", "admin")
    for day in range(ROUNDS):
        lead = pool_lead(world, 100 + day)
        url = f"/api/v1/leads/{lead}/assign"
        [won], [lost] = outcome(at_once(
            partial(call["sup1"], "post", url, json={"owner": world.ids["rep1"]}),
            partial(call["admin"], "post", url, json={"owner": world.ids["rep2"]})))
        assert lost.get_json()["message"] == "已被领取"
        assigned = rows(world, LEAD_EVENT_TABLE, lead_id=lead, kind="assigned")
        assert [e.user_id for e in assigned] == [won.get_json()["owner"]], f"round {day}"
        assert len(rows(world, AUDIT_TABLE, entity="lead", record_id=lead,
                        channel="assign")) == 1


def test_two_users_moving_one_lead_one_moves_the_other_sees_where_it_is(world):
    call = clients(world, "rep1", "sup1")
    for day in range(ROUNDS):
        world.freeze((dt.datetime(2025, 9, 1, 10) + dt.timedelta(days=day)).isoformat(" "))
        lead = create(world.ctx("rep1"), "lead", world.lead(**C))
        url = f"/api/v1/lead/{lead.id}/transition"
        body = {"to": "discovery", "version": lead.version}
        [won], [lost] = outcome(at_once(partial(call["rep1"], "post", url, json=body),
                                        partial(call["sup1"], "post", url, json=body)))
        current = lost.get_json()["current"]
        assert (current["stage"], current["version"]) == (
            "discovery", won.get_json()["result"]["version"])
        moves = [a for a in rows(world, AUDIT_TABLE, entity="lead", record_id=lead.id,
                                 action="update") if "stage" in (a.changes or {})]
        assert len(moves) == 1, f"round {day}: {moves}"
