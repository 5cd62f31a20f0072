"""The public pool: claims within limits, returns, the nightly reclaim with its warning
and the previous owner's cool-down (frozen clock)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from leadloom.records import Forbidden, NotFound, RecordInvalid, create, update
from leadloom.records.leads import periodic, pools
from tests.helpers import replace_once

C = {"budget_status": "unclear", "need_clarity": "vague"}


def edit_config(folder):
    """Small pool limits; the legacy numbering preset in the West (WEB001)."""
    replace_once(folder / "leads.yaml", "claims_per_day: 20", "claims_per_day: 2")
    replace_once(folder / "leads.yaml", "holding_cap: 300", "holding_cap: 6")
    replace_once(folder / "units" / "west.yaml", "leads:\n",
                 'leads:\n  numbering: {pattern: "{source.code}{seq:3}"}\n')


def pooled(world, n=1):
    return [create(world.ctx("sup1"), "lead", world.lead(**C)) for _ in range(n)]


def test_only_the_units_claiming_roles_see_and_claim_its_pool(world):
    world.freeze("2024-09-02 09:00")
    lead = pooled(world)[0]
    assert lead.id in {p.id for p in pools.pool_leads(world.ctx("rep1"))}
    assert lead.id in {p.id for p in pools.pool_leads(world.ctx("sup1"))}
    assert lead.id not in {p.id for p in pools.pool_leads(world.ctx("rep3"))}
    assert "contact_phone" not in pools.pool_leads(world.ctx("rep1"))[0].as_json()
    with pytest.raises(NotFound):
        pools.claim(world.ctx("rep3"), lead.id)
    with pytest.raises(Forbidden):
        pools.claim(world.ctx("mkt1"), lead.id)


def test_claims_per_day_then_the_next_day(world):
    world.freeze("2024-09-03 09:00")
    leads = pooled(world, 3)
    first = pools.claim(world.ctx("rep1"), leads[0].id)
    assert (first.owner_id, first.status, first.pool) == (world.ids["rep1"], "assigned", None)
    assert first.first_touch_due_at == first.assigned_at + dt.timedelta(days=30)  # grade C
    claimed = next(e for e in world.events(first.id) if e.kind == "claimed")
    assert claimed.actor_id == world.ids["rep1"]
    pools.claim(world.ctx("rep1"), leads[1].id)
    with pytest.raises(Forbidden) as refused:
        pools.claim(world.ctx("rep1"), leads[2].id)
    assert "today" in refused.value.message
    world.freeze("2024-09-04 09:00")
    assert pools.claim(world.ctx("rep1"), leads[2].id).owner_id == world.ids["rep1"]


def held(world, user):
    return [r.id for r in periodic._open_leads(world.ctx(None)) if r.owner_id == world.ids[user]]


def test_the_holding_cap(world):
    world.freeze("2024-09-05 09:00")
    while len(held(world, "rep2")) < 6:
        create(world.ctx("rep2"), "lead", world.lead())
    lead = pooled(world)[0]
    with pytest.raises(Forbidden) as refused:
        pools.claim(world.ctx("rep2"), lead.id)
    assert "held" in refused.value.message
    # routing skips the rep at the cap as well
    owners = {create(world.ctx("sup1"), "lead", world.lead()).owner_id for _ in range(2)}
    assert owners == {world.ids["rep1"]}
    for user in ("rep1", "rep2"):  # close them again for the next tests
        for pk in held(world, user):
            update(world.ctx("sup1"), "lead", pk, {"status": "lost", "lost_reason": "budget"})


def test_return_to_the_pool_needs_a_reason_and_starts_a_cool_down(world):
    world.freeze("2024-09-06 09:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(customer_name="退回测试有限公司"))
    with pytest.raises(RecordInvalid):
        pools.release(world.ctx("rep1"), lead.id, "")
    with pytest.raises(NotFound):  # not rep2's to see, let alone return
        pools.release(world.ctx("rep2"), lead.id, "不是我的")
    back = pools.release(world.ctx("rep1"), lead.id, "客户暂无需求")
    assert (back.owner_id, back.status, back.pool) == (None, "unassigned", "public")
    released = next(e for e in world.events(lead.id) if e.kind == "released")
    assert released.reason == "客户暂无需求" and released.user_id == world.ids["rep1"]
    world.freeze("2024-09-10 09:00")
    with pytest.raises(Forbidden) as refused:
        pools.claim(world.ctx("rep1"), lead.id)
    assert "2024-09-13" in refused.value.message
    assert pools.assign_from_pool(world.ctx("sup1"), lead.id, world.ids["rep1"]).owner_id


def test_nightly_reclaim_warns_three_days_before_and_blocks_the_previous_owner(world):
    start = world.freeze("2024-01-02 10:00")
    lead = create(world.ctx("sup1"), "lead", world.lead(owner=world.ids["rep1"]))
    keep = create(world.ctx("sup1"), "lead", world.lead(owner=world.ids["rep1"]))
    update(world.ctx("sup1"), "lead", keep.id, {"status": "converted"})
    system = world.ctx(None, "job")

    def on(day: int) -> dt.datetime:  # East reclaims after 60 days (units/east.yaml)
        """Day ``day`` after the start, with the rules' clock there (the job runs then)."""
        moment = start + dt.timedelta(days=day)
        world.freeze((moment + dt.timedelta(hours=8)).isoformat(sep=" "))
        return moment

    assert periodic.reclaim(system, on(56)) == 0
    assert not any(lead.lead_no in t and "退回公海" in t for t in world.inbox("rep1"))
    periodic.reclaim(system, on(57))
    periodic.reclaim(system, on(57) + dt.timedelta(hours=3))
    warnings = [t for t in world.inbox("rep1") if lead.lead_no in t and "3 天后" in t]
    assert len(warnings) == 1
    assert periodic.reclaim(system, on(60)) >= 1
    back = world.row("lead", lead.id)
    assert (back.owner_id, back.status, back.pool) == (None, "unassigned", "public")
    assert world.row("lead", keep.id).owner_id == world.ids["rep1"]  # converted: excluded
    reclaimed = next(e for e in world.events(lead.id) if e.kind == "reclaimed")
    assert reclaimed.user_id == world.ids["rep1"] and reclaimed.actor_id is None
    assert any(lead.lead_no in t for t in world.inbox("sup1"))
    world.freeze("2024-03-03 09:00")
    with pytest.raises(Forbidden):
        pools.claim(world.ctx("rep1"), lead.id)
    world.freeze("2024-03-03 09:00")
    assert pools.claim(world.ctx("rep2"), lead.id).owner_id == world.ids["rep2"]


def test_a_unit_can_use_the_legacy_numbering_preset(world):
    world.freeze("2024-06-01 10:00")
    first = create(world.ctx("rep3"), "lead", world.lead()).lead_no
    world.freeze("2024-06-02 10:00")
    second = create(world.ctx("rep4"), "lead", world.lead()).lead_no
    assert re.fullmatch(r"WEB\d{3}", first) and int(second[3:]) == int(first[3:]) + 1


def test_leads_no_territory_takes_wait_in_the_default_units_pool(world):
    world.freeze("2024-06-03 10:00")
    lead = create(world.ctx("mkt1"), "lead", world.lead(
        province="海南", budget_status="unclear", need_clarity="vague"))
    assert (lead.unit, lead.owner_id, lead.pool) == ("east", None, "public")
    for user, sees in (("sup1", True), ("sup2", False), ("rep1", True), ("mkt1", False)):
        assert (lead.id in {p.id for p in pools.pool_leads(world.ctx(user))}) is sees, user
    moved = pools.assign_from_pool(world.ctx("sup1"), lead.id, world.ids["rep3"])
    assert (moved.owner_id, moved.unit) == (world.ids["rep3"], "west")
