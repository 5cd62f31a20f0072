"""Offboarding (离职交接): a leaving rep's open leads move to a colleague or to the pool in
write-path batches (``handover.hand_over`` → ``records.bulk_update``) and end as the same
owner changes made one by one with ``records.update``; a lead the write path refuses (here:
changed by someone else while the batch was under way) stays with its owner, with the
reason, and the others move."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from leadloom.records import RecordError, RecordInvalid, bulk_create, update
from leadloom.records import batch_update as bulk_update_module
from leadloom.records.leads.handover import hand_over, open_leads_of

C = {"budget_status": "unclear", "need_clarity": "vague"}


def edit_config(folder):
    """A world of its own: a hand-over moves every open lead a rep holds."""


def holdings(world, user: str) -> dict[str, Any]:
    """Four open leads of ``user`` and a lost one, which stays."""
    ids = bulk_create(world.ctx("admin"), "lead",
                      [world.lead(owner=world.ids[user], **C) for _ in range(5)])
    update(world.ctx("admin"), "lead", ids[4], {"status": "lost", "lost_reason": "budget"})
    return {"open": ids[:4], "closed": ids[4]}


def race_on(world, monkeypatch, pk: int) -> None:
    """Someone else saves lead ``pk`` between the batch's read and its write."""
    engine = world.session.get_bind()
    lead = world.models.cls("lead").__table__
    real = bulk_update_module.run_before_batch
    raced: list[int] = []

    def bump() -> None:
        with engine.begin() as connection:
            connection.execute(sa.update(lead).where(lead.c.id == pk).values(
                remark="别人改的", version=lead.c.version + 1))

    def race_then_hooks(hooks: Any, changes: Any) -> None:
        if not raced:
            raced.append(pk)
            thread = threading.Thread(target=bump)
            thread.start()
            thread.join()
        real(hooks, changes)

    monkeypatch.setattr(bulk_update_module, "run_before_batch", race_then_hooks)


def one_by_one(world, ids: list[int], to: int) -> dict[int, RecordError]:
    refused = {}
    for pk in ids:
        try:
            update(world.ctx("admin"), "lead", pk, {"owner": to})
        except RecordError as error:
            world.session.rollback()
            refused[pk] = error
    return refused


def moved(world, ids: list[int], to: int | None) -> list[Any]:
    audit = world.models.metadata.tables["ll_audit"]
    found = []
    for pk in ids:
        row = world.row("lead", pk)
        found.append((row.owner_id == to, row.status, row.pool, row.version,
                      [e.kind for e in world.events(pk)],
                      world.session.scalar(sa.select(sa.func.count()).where(
                          audit.c.record_id == pk, audit.c.entity == "lead"))))
    return found


def test_a_hand_over_moves_what_single_owner_changes_move(world, monkeypatch):
    world.freeze("2024-11-04 09:00")
    east, west = holdings(world, "rep1"), holdings(world, "rep3")
    rep2, rep4 = world.ids["rep2"], world.ids["rep4"]
    assert open_leads_of(world.ctx("admin"), world.ids["rep1"]) == east["open"]
    raced = east["open"][2]
    race_on(world, monkeypatch, raced)
    result = hand_over(world.ctx("admin"), world.ids["rep1"], rep2)
    monkeypatch.undo()
    single = one_by_one(world, west["open"], rep4)
    assert not single
    assert result.updated == [pk for pk in east["open"] if pk != raced]
    assert result.failed[raced].status == "conflict" and result.failed[raced].error.status == 409
    others = [i for i, pk in enumerate(east["open"]) if pk != raced]
    assert moved(world, [east["open"][i] for i in others], rep2) == moved(
        world, [west["open"][i] for i in others], rep4)
    assert world.row("lead", raced).owner_id == world.ids["rep1"]  # left as it was
    assert world.row("lead", east["closed"]).owner_id == world.ids["rep1"]
    assert open_leads_of(world.ctx("admin"), world.ids["rep1"]) == [raced]


def test_a_hand_over_to_the_pool_and_within_the_actors_scope(world):
    world.freeze("2024-11-05 09:00")
    held = holdings(world, "rep2")["open"]
    assert open_leads_of(world.ctx("sup2"), world.ids["rep2"]) == []  # not sup2's team
    result = hand_over(world.ctx("sup1"), world.ids["rep2"], None)
    assert set(held) <= set(result.updated) and not result.failed
    rows = [world.row("lead", pk) for pk in held]
    assert {(r.owner_id, r.status, r.pool) for r in rows} == {(None, "unassigned", "public")}
    with pytest.raises(RecordInvalid):
        hand_over(world.ctx("sup1"), world.ids["rep2"], world.ids["rep2"])
