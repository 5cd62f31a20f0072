"""Deadlines on the working-day calendar (frozen clock), follow-up entry rules, cadence
tasks, and the periodic SLA, stale, task and digest jobs."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from leadloom.records import RecordInvalid, create
from leadloom.records.leads import periodic

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
B = {"need_clarity": "partial"}
C = {"budget_status": "unclear", "need_clarity": "vague"}


def local(text: str) -> dt.datetime:
    """A Shanghai wall-clock time as stored (naive UTC)."""
    return dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)


@pytest.mark.parametrize(("bnau", "due"), [
    (A, "2024-03-17 10:00"), (B, "2024-03-22 10:00"), (C, "2024-04-14 10:00"),
    ({}, "2024-03-22 10:00"),
])
def test_first_touch_by_grade_in_the_east(world, bnau, due):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**bnau))
    assert lead.first_touch_due_at == local(due)


@pytest.mark.parametrize(("assigned", "due"), [
    ("2024-09-29 10:00", "2024-10-09 18:00"),  # Sun, a 调休 working day; 10-01..07 off
    ("2024-09-27 16:00", "2024-10-08 18:00"),  # Fri; Sat 09-28 off, Sun 09-29 on
    ("2024-10-11 09:00", "2024-10-15 18:00"),  # Fri; Sat 10-12 is a make-up working day
])
def test_three_working_days_in_the_west_across_national_day(world, assigned, due):
    world.freeze(assigned)
    lead = create(world.ctx("rep3"), "lead", world.lead(**A))
    assert lead.first_touch_due_at == local(due)


def followup(world, user, lead, occurred, **extra):
    return create(world.ctx(user), "followup", {
        "lead": lead.id, "occurred_at": occurred, "method": "phone",
        "summary": "电话沟通需求,约定演示时间", "customer_feedback": "interested", **extra})


def test_a_follow_up_starts_contact_and_makes_the_next_cadence_task(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    world.freeze("2024-03-15 16:00")  # a Friday
    followup(world, "rep1", lead, local("2024-03-15 15:00"), next_action="发送方案",
             next_action_due=dt.date(2024, 3, 19))
    row = world.row("lead", lead.id)
    assert (row.status, row.followup_count) == ("contacting", 1)
    assert row.first_contact_at == row.last_followup_at == local("2024-03-15 15:00")
    assert row.next_followup_due_at == local("2024-03-18 18:00")  # A: 3 days, on Monday
    task = world.models.cls("task").__table__
    tasks = {r.kind: r for r in world.session.execute(sa.select(task).where(
        task.c.lead_id == lead.id))}
    assert tasks["first_touch"].status == "done"
    assert tasks["cadence"].due_at == row.next_followup_due_at
    assert tasks["cadence"].assignee_id == world.ids["rep1"] and "A级" in tasks["cadence"].title
    assert tasks["next_action"].due_at == local("2024-03-19 18:00")


def test_the_cadence_skips_the_holiday(world):
    world.freeze("2024-09-27 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**B))
    followup(world, "rep1", lead, local("2024-09-27 09:00"))
    # B weekly: Fri 10-04 is in the National Day holiday → the next working day
    assert world.row("lead", lead.id).next_followup_due_at == local("2024-10-08 18:00")


@pytest.mark.parametrize(("hours_ago", "late"), [(23, False), (25, True), (24 * 6, True)])
def test_late_entries_are_flagged(world, hours_ago, late):
    now = world.freeze("2024-05-10 12:00")
    lead = create(world.ctx("rep1"), "lead", world.lead())
    done = followup(world, "rep1", lead, now - dt.timedelta(hours=hours_ago))
    assert done.late_entry is late


@pytest.mark.parametrize("offset", [dt.timedelta(days=7, hours=1), dt.timedelta(hours=-2)])
def test_too_far_back_or_in_the_future_is_refused(world, offset):
    now = world.freeze("2024-05-10 12:00")
    lead = create(world.ctx("rep1"), "lead", world.lead())
    with pytest.raises(RecordInvalid) as refused:
        followup(world, "rep1", lead, now - offset)
    assert "occurred_at" in refused.value.errors


def test_sla_warning_then_breach_once_each_to_owner_then_supervisor(world):
    start = world.freeze("2024-06-03 09:00")
    lead = create(world.ctx("rep2"), "lead", world.lead(**A))
    system = world.ctx(None, "job")
    periodic.check_sla(system, start + dt.timedelta(hours=40))
    assert not any(lead.lead_no in t for t in world.inbox("rep2"))
    periodic.check_sla(system, start + dt.timedelta(hours=45))
    periodic.check_sla(system, start + dt.timedelta(hours=46))
    assert [t for t in world.inbox("rep2") if lead.lead_no in t and "前首次触达" in t] == [
        f"线索 {lead.lead_no}（{lead.customer_name}，A级）需在 2024-06-05 09:00 前首次触达"]
    for _ in range(2):
        periodic.check_sla(system, start + dt.timedelta(hours=49))
    breach = (f"线索 {lead.lead_no}（{lead.customer_name}，A级）"
              "首次触达已超时（截止 2024-06-05 09:00）")
    assert world.inbox("rep2").count(breach) == 1 and world.inbox("sup1").count(breach) == 1


def test_stale_leads_task_reminders_and_the_daily_digest(world):
    start = world.freeze("2024-02-01 09:00")
    lead = create(world.ctx("rep2"), "lead", world.lead(**B))
    system = world.ctx(None, "job")
    later = start + dt.timedelta(days=31)
    result = periodic.tick(system, later, ("stale", "tasks", "digest"))
    assert result["stale"] >= 1 and result["tasks"] >= 1 and result["digest"] >= 1
    stale = (f"线索 {lead.lead_no}（{lead.customer_name}，B级）已 31 天未更新"
             "（最后活动 2024-02-01 09:00）")
    for user in ("rep2", "sup1"):  # the owner and the team's supervisor, one notice each
        assert world.inbox(user).count(stale) == 1
    assert any("项任务已逾期" in t for t in world.inbox("rep2"))
    assert any(t.startswith("今日待办") for t in world.inbox("rep2"))
    task = world.models.cls("task").__table__
    assert world.session.scalar(sa.select(task.c.status).where(
        task.c.lead_id == lead.id, task.c.kind == "first_touch")) == "overdue"
    before = len(world.inbox("rep2"))
    periodic.tick(system, later + dt.timedelta(hours=1), ("stale", "tasks", "digest"))
    assert len(world.inbox("rep2")) == before  # nothing twice
