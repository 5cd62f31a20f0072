"""Assignment: ordered rules, round robin / weighted / least loaded, the pool otherwise."""

from __future__ import annotations

import sqlalchemy as sa

from leadloom.records import create

C = {"budget_status": "unclear", "need_clarity": "vague"}


def test_a_reps_own_lead_stays_theirs(world):
    lead = create(world.ctx("rep2"), "lead", world.lead())
    assert lead.owner_id == world.ids["rep2"] and lead.status == "new"
    assert lead.assigned_at is not None


def test_round_robin_over_the_units_reps(world):
    owners = [create(world.ctx("sup1"), "lead", world.lead()).owner_id for _ in range(4)]
    reps = {world.ids["rep1"], world.ids["rep2"]}
    assert set(owners) == reps and owners[0] != owners[1] and owners[:2] == owners[2:]
    lead = create(world.ctx("sup1"), "lead", world.lead())
    assert lead.status == "assigned"
    assigned = next(e for e in world.events(lead.id) if e.kind == "assigned")
    assert assigned.detail["rule"] == "unit_reps" and assigned.actor_id == world.ids["sup1"]


def test_weighted_two_to_one_in_the_west(world):
    owners = [create(world.ctx("sup2"), "lead", world.lead(province="陕西")).owner_id
              for _ in range(6)]
    assert owners.count(world.ids["rep3"]) == 4 and owners.count(world.ids["rep4"]) == 2


def test_key_accounts_go_to_a_supervisor(world):
    lead = create(world.ctx("sup1"), "lead", world.lead(employee_range="5000+"))
    assert lead.owner_id == world.ids["sup1"]


def test_territory_by_province_tells_the_new_owner(world):
    lead = create(world.ctx("mkt1"), "lead", world.lead(province="四川", city="成都"))
    owner = next(u for u in ("rep3", "rep4") if world.ids[u] == lead.owner_id)
    assert lead.unit == "west"
    title = world.inbox(owner)[-1]
    assert lead.lead_no in title and "首次触达截止" in title
    task = world.models.cls("task")
    first_touch = world.session.scalars(sa.select(task).where(task.lead_id == lead.id)).one()
    assert first_touch.kind == "first_touch" and first_touch.assignee_id == world.ids[owner]
    assert first_touch.due_at == lead.first_touch_due_at


def test_what_no_rule_takes_goes_to_the_units_pool(world):
    lead = create(world.ctx("sup1"), "lead", world.lead(**C))
    assert lead.grade == "C" and lead.owner_id is None and lead.pool == "public"
    assert lead.unit == "east" and lead.status == "new" and lead.first_touch_due_at is None
    assert [e.kind for e in world.events(lead.id)] == ["grade", "pooled"]


def test_deleting_a_lead_takes_the_tasks_the_rules_made(world):
    from leadloom.records import delete

    lead = create(world.ctx("sup1"), "lead", world.lead())
    task = world.models.cls("task")
    assert world.session.scalar(sa.select(sa.func.count()).where(task.lead_id == lead.id)) == 1
    delete(world.ctx("sup1"), "lead", lead.id)
    assert world.session.scalar(sa.select(sa.func.count()).where(task.lead_id == lead.id)) == 0
