"""Workflow conditions see both sides of a write: the shipped ``big_loss`` flow
(``old.stage == 'negotiation'``) asks the supervisor to confirm a deal lost from
negotiation, on the single write path and on the batch path, and lets a small deal lost
from an earlier stage go at once."""

from __future__ import annotations

import pytest

from leadloom.records import RecordInvalid, bulk_update, create, update
from leadloom.records.approvals import decide, open_request
from tests.helpers import chinese

SMALL = 100_000  # below the 50万 of big_loss: only the stage it leaves can trigger it
LOST = {"stage": "lost", "lost_reason": "budget"}


def deal_in(world, stage: str) -> int:
    """A small deal of rep1 standing in ``stage`` (put there by the trusted system)."""
    lead = create(world.ctx("sup1"), "lead", world.lead(owner=world.ids["rep1"]))
    update(world.ctx(None), "lead", lead.id, {
        "stage": stage, "expected_amount": SMALL, "expected_close_date": "2024-12-31",
        "budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
        "purchase_timeline": "1_3m"})
    return lead.id


def pending_flow(world, pk: int) -> str | None:
    request = open_request(world.ctx(None), "lead", pk)
    return None if request is None else request.workflow


def test_a_deal_lost_from_negotiation_asks_its_supervisor(world):
    world.freeze("2024-10-08 10:00")  # the first working day after 国庆
    pk = deal_in(world, "negotiation")
    update(world.ctx("rep1"), "lead", pk, LOST)
    assert world.row("lead", pk).stage == "negotiation"
    assert pending_flow(world, pk) == "big_loss"


def test_a_small_deal_lost_from_an_earlier_stage_goes_at_once(world):
    world.freeze("2024-10-08 10:05")
    pk = deal_in(world, "solution")
    update(world.ctx("rep1"), "lead", pk, LOST)
    row = world.row("lead", pk)
    assert (row.stage, row.status) == ("lost", "lost")
    assert pending_flow(world, pk) is None


def test_the_batch_path_holds_the_loss_from_negotiation_only(world):
    world.freeze("2024-10-08 10:10")
    negotiation, discovery = deal_in(world, "negotiation"), deal_in(world, "discovery")
    result = bulk_update(world.ctx("rep1"), "lead", {negotiation: LOST, discovery: LOST})
    assert {pk: o.status for pk, o in result.outcomes.items()} == {
        negotiation: "updated", discovery: "updated"}
    assert world.row("lead", negotiation).stage == "negotiation"
    assert pending_flow(world, negotiation) == "big_loss"
    assert world.row("lead", discovery).stage == "lost"
    assert pending_flow(world, discovery) is None


def test_the_supervisor_confirms_and_the_deal_is_lost(world):
    world.freeze("2024-10-08 10:15")
    pk = deal_in(world, "negotiation")
    update(world.ctx("rep1"), "lead", pk, LOST)
    request = open_request(world.ctx(None), "lead", pk)
    decide(world.ctx("sup1"), request.id, approve=True, comment="同意")
    assert world.row("lead", pk).stage == "lost"


def test_the_write_path_still_refuses_a_loss_without_reason(world):
    world.freeze("2024-10-08 10:20")
    pk = deal_in(world, "negotiation")
    with pytest.raises(RecordInvalid) as refused:
        update(world.ctx("rep1"), "lead", pk, {"stage": "lost"})
    assert "lost_reason" in refused.value.errors
    assert "未转化原因" in chinese(refused.value.message)
    assert pending_flow(world, pk) is None
