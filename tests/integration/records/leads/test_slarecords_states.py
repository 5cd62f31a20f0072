"""SLA records (frozen clock): a first touch a minute before its deadline is met, a minute
after is breached-then-met with its lateness; the SLA job marks unmet ones breached; a
reassignment restarts the first touch, a grade change moves its deadline; each follow-up
starts a cadence SLA the next one meets."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from leadloom.records import bulk_update, create, update
from leadloom.records.leads import periodic
from leadloom.records.leads.sla_compliance import first_touch_compliance

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
C = {"budget_status": "unclear", "need_clarity": "vague"}
MINUTE = dt.timedelta(minutes=1)


def local(text: str) -> dt.datetime:
    """A Shanghai wall-clock time as stored (naive UTC)."""
    return dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)


def slas(world, lead_id, kind="first_touch"):
    table = world.models.metadata.tables["ll_sla_record"]
    return list(world.session.execute(sa.select(table).where(
        table.c.lead_id == lead_id, table.c.kind == kind).order_by(table.c.started_at)))


def touch(world, lead, at: dt.datetime, user="rep1"):
    """A phone call logged the moment it happened."""
    world.freeze((at + dt.timedelta(hours=8)).isoformat())
    return create(world.ctx(user), "followup", {
        "lead": lead.id, "occurred_at": at, "method": "phone", "summary": "电话沟通需求",
        "customer_feedback": "interested"})


def test_a_new_lead_has_a_pending_first_touch_with_its_times(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    [sla] = slas(world, lead.id)
    assert (sla.state, sla.owner_id, sla.grade) == ("pending", world.ids["rep1"], "A")
    assert (sla.started_at, sla.due_at) == (local("2024-03-15 10:00"), local("2024-03-17 10:00"))
    assert sla.met_at is sla.breached_at is sla.late_minutes is None


def test_a_first_touch_a_minute_before_the_deadline_is_met(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    touch(world, lead, local("2024-03-17 10:00") - MINUTE)
    [sla] = slas(world, lead.id)
    assert (sla.state, sla.met_at, sla.late_minutes) == (
        "met", local("2024-03-17 09:59"), None)


def test_a_first_touch_a_minute_late_is_breached_then_met_with_its_lateness(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    touch(world, lead, local("2024-03-17 10:00") + MINUTE)
    [sla] = slas(world, lead.id)
    assert (sla.state, sla.late_minutes) == ("breached_then_met", 1)
    assert (sla.breached_at, sla.met_at) == (local("2024-03-17 10:00"),
                                             local("2024-03-17 10:01"))


def test_the_sla_job_marks_the_unmet_breached_and_still_sends_the_breach(world):
    start = world.freeze("2024-06-03 09:00")
    lead = create(world.ctx("rep2"), "lead", world.lead(**A))
    system = world.ctx(None, "job")
    periodic.check_sla(system, start + dt.timedelta(hours=47))
    assert slas(world, lead.id)[0].state == "pending"
    periodic.check_sla(system, start + dt.timedelta(hours=49))
    [sla] = slas(world, lead.id)
    assert (sla.state, sla.breached_at) == ("breached", local("2024-06-05 09:00"))
    breach = (f"线索 {lead.lead_no}（{lead.customer_name}，A级）"
              "首次触达已超时（截止 2024-06-05 09:00）")
    assert breach in world.inbox("rep2")
    touch(world, lead, start + dt.timedelta(hours=50), user="rep2")
    assert slas(world, lead.id)[0].state == "breached_then_met"
    assert slas(world, lead.id)[0].late_minutes == 120


def test_a_reassignment_restarts_the_first_touch_and_keeps_a_breach(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    world.freeze("2024-03-16 10:00")
    update(world.ctx("sup1"), "lead", lead.id, {"owner": world.ids["rep2"]})
    [sla] = slas(world, lead.id)  # rep1's pending SLA gave way to rep2's
    assert (sla.owner_id, sla.started_at, sla.due_at, sla.state) == (
        world.ids["rep2"], local("2024-03-16 10:00"), local("2024-03-18 10:00"), "pending")
    world.freeze("2024-03-19 10:00")
    update(world.ctx("sup1"), "lead", lead.id, {"owner": world.ids["rep1"]})
    breached, restarted = slas(world, lead.id)
    assert (breached.owner_id, breached.state) == (world.ids["rep2"], "breached")
    assert (restarted.owner_id, restarted.state, restarted.due_at) == (
        world.ids["rep1"], "pending", local("2024-03-21 10:00"))


def test_a_lead_sent_to_the_pool_owes_no_first_touch(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    update(world.ctx("sup1"), "lead", lead.id, {"owner": None})
    assert slas(world, lead.id) == []


def test_a_grade_change_moves_the_due(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**C))
    before = slas(world, lead.id)[0].due_at
    world.freeze("2024-03-16 10:00")
    update(world.ctx("sup1"), "lead", lead.id, {"grade": "A", "grade_reason": "集团客户"})
    row = world.row("lead", lead.id)
    [sla] = slas(world, lead.id)
    assert sla.due_at == row.first_touch_due_at != before
    assert (sla.grade, sla.state) == ("A", "pending")


def test_each_follow_up_starts_a_cadence_sla_the_next_one_meets(world):
    world.freeze("2024-03-15 10:00")  # a Friday
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    touch(world, lead, local("2024-03-15 15:00"))
    [first] = slas(world, lead.id, "cadence")
    assert (first.state, first.due_at) == ("pending", local("2024-03-18 18:00"))
    touch(world, lead, local("2024-03-19 09:00"))  # A: every 3 days, due Monday 18:00
    late, current = slas(world, lead.id, "cadence")
    assert (late.state, late.late_minutes) == ("breached_then_met", 15 * 60)
    assert (current.started_at, current.state) == (local("2024-03-19 09:00"), "pending")
    assert current.due_at == world.row("lead", lead.id).next_followup_due_at


def test_a_batch_reassignment_leaves_the_slas_single_updates_leave(world):
    """Leads reassigned one by one and in one ``bulk_update``, after one of each pair
    breached: the same SLA rows, lead for lead."""
    world.freeze("2024-04-01 10:00")
    pairs = [[create(world.ctx("rep1"), "lead", world.lead(**grade)).id for _ in range(2)]
             for grade in (A, C, A)]
    world.freeze("2024-04-04 10:00")  # the A leads' first touch is overdue
    to_rep2 = {"owner": world.ids["rep2"]}
    for single, _ in pairs:
        update(world.ctx("sup1"), "lead", single, to_rep2)
    result = bulk_update(world.ctx("sup1"), "lead", {batch: to_rep2 for _, batch in pairs})
    assert not result.failed

    def rows(lead_id):
        return [(r.kind, r.state, r.owner_id, r.started_at, r.due_at, r.breached_at)
                for r in slas(world, lead_id)]

    for single, batch in pairs:
        assert rows(batch) == rows(single)
    assert [(r[0], r[1]) for r in rows(pairs[0][0])] == [
        ("first_touch", "breached"), ("first_touch", "pending")]


def test_first_touch_compliance_counts_the_decided_slas_due_in_the_period(world):
    """November 2022: rep1 touches one lead on time, one late and misses one; rep2's lead is
    touched on time; a lead due in December counts nowhere."""
    world.freeze("2022-11-07 10:00")
    made = {name: create(world.ctx(user), "lead", world.lead(**A))
            for name, user in (("on_time", "rep1"), ("late", "rep1"), ("missed", "rep1"),
                               ("other", "rep2"))}
    touch(world, made["on_time"], local("2022-11-08 10:00"))
    touch(world, made["late"], local("2022-11-09 12:00"))
    touch(world, made["other"], local("2022-11-08 11:00"), user="rep2")
    world.freeze("2022-11-28 10:00")
    create(world.ctx("rep1"), "lead", world.lead(**C))  # due in December
    periodic.check_sla(world.ctx(None, "job"), local("2022-11-30 10:00"))
    found = {c.owner_id: c for c in first_touch_compliance(
        world.session, world.models, local("2022-11-01 00:00"), local("2022-12-01 00:00"))}
    rep1, rep2 = found[world.ids["rep1"]], found[world.ids["rep2"]]
    assert (rep1.on_time, rep1.late, rep1.missed, rep1.due) == (1, 1, 1, 3)
    assert rep1.share == 1 / 3 and rep2.share == 1.0 and set(found) == set(
        world.ids[u] for u in ("rep1", "rep2"))
    lead = world.models.cls("lead")
    mine = first_touch_compliance(world.session, world.models, local("2022-11-01 00:00"),
                                  local("2022-12-01 00:00"), lead.owner_id == world.ids["rep2"])
    assert [c.owner_id for c in mine] == [world.ids["rep2"]]
