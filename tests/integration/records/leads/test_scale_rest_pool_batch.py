"""Handing several pool leads out at once goes through the batch write path
(``pools.assign_many_from_pool`` → ``records.bulk_update``) and ends as the same leads
handed out one by one through ``pools.assign_from_pool``: the same refusals (taken,
not in the pool, the holding cap) for the same leads, the same rows, history and messages
for the others — a refused lead never stops the rest."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from leadloom.records import Forbidden, RecordError, create, update
from leadloom.records.leads import pools
from tests.helpers import replace_once

C = {"budget_status": "unclear", "need_clarity": "vague"}
MISSING = 999_999


def edit_config(folder):
    """A holding cap of 3, so the fourth lead for one rep is refused."""
    replace_once(folder / "leads.yaml", "holding_cap: 300", "holding_cap: 3")


def scenario(world) -> list[int]:
    """Five pool leads, the second taken meanwhile, and an id that is no lead at all."""
    leads = [create(world.ctx("sup1"), "lead", world.lead(**C)).id for _ in range(5)]
    update(world.ctx(None), "lead", leads[1], {"owner": world.ids["sup1"]})
    return [leads[0], leads[1], MISSING, *leads[2:]]


def one_by_one(world, ids: list[int], user: int) -> dict[int, RecordError]:
    refused = {}
    for pk in ids:
        try:
            pools.assign_from_pool(world.ctx("sup1"), pk, user)
        except RecordError as error:
            world.session.rollback()
            refused[pk] = error
    return refused


def refusals(ids: list[int], refused: dict[int, RecordError]) -> list[Any]:
    """Per position: who refused and why (the ids themselves differ between the runs)."""
    return [(type(refused[pk]).__name__, refused[pk].status,
             str(refused[pk].message).replace(str(pk), "ID")) if pk in refused else None
            for pk in ids]


def outcome_rows(world, ids: list[int], user: int) -> list[Any]:
    """What each lead became: owner, status, pool, deadlines, version, history, audit."""
    audit = world.models.metadata.tables["ll_audit"]
    found = []
    for pk in ids:
        if pk == MISSING:
            found.append(None)
            continue
        row = world.row("lead", pk)
        due = row.first_touch_due_at - row.assigned_at if row.assigned_at else None
        found.append((row.owner_id == user, row.status, row.pool, due, row.version,
                      [(e.kind, e.actor_id, e.user_id == user) for e in world.events(pk)],
                      world.session.scalar(sa.select(sa.func.count()).where(
                          audit.c.record_id == pk, audit.c.entity == "lead"))))
    return found


def test_a_batch_hands_out_what_single_assigns_hand_out(world):
    world.freeze("2024-10-08 09:00")
    batch_ids, single_ids = scenario(world), scenario(world)
    rep1, rep2 = world.ids["rep1"], world.ids["rep2"]
    batch = pools.assign_many_from_pool(world.ctx("sup1"), batch_ids, rep1)
    world.session.commit()
    single = one_by_one(world, single_ids, rep2)
    assert refusals(batch_ids, batch) == refusals(single_ids, single)
    assert [r and r[0] for r in refusals(batch_ids, batch)] == [
        None, "Conflict", "NotFound", None, None, "Forbidden"]
    assert outcome_rows(world, batch_ids, rep1) == outcome_rows(world, single_ids, rep2)
    assert len(world.inbox("rep1")) == len(world.inbox("rep2")) > 0
    taken = world.row("lead", batch_ids[1])
    assert taken.owner_id == world.ids["sup1"]  # the refused lead is left as it was


def test_only_a_pool_manager_hands_out_several(world):
    world.freeze("2024-10-09 09:00")
    lead = create(world.ctx("sup1"), "lead", world.lead(**C)).id
    with pytest.raises(Forbidden):
        pools.assign_many_from_pool(world.ctx("rep1"), [lead], world.ids["rep1"])
    assert world.row("lead", lead).owner_id is None
