"""``task_rules`` of the shipped leads.yaml on a frozen clock: an objection with a reply
promise and a demo make their tasks due in working days across 调休 and the National Day
holiday, the demo's closes once the materials are sent, a close date passing makes one
reminder per date, batches make the same tasks set-based, loaded history makes none, and
every task is made and closed through the write path (audited)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from leadloom.records import bulk_create, create, update
from leadloom.records.leads import periodic
from leadloom.records.leads.event_tasks import HISTORY_NOW

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}


def local(text: str) -> dt.datetime:
    """A Shanghai wall-clock time as stored (naive UTC)."""
    return dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)


def followup_input(lead_id: int, occurred: dt.datetime, kind: str, summary: str) -> dict:
    return {"lead": lead_id, "occurred_at": occurred, "method": "visit", "kind": kind,
            "summary": summary, "customer_feedback": "evaluating"}


def rule_tasks(world, lead_id: int) -> list:
    task = world.models.cls("task").__table__
    return list(world.session.execute(sa.select(task).where(
        task.c.lead_id == lead_id, task.c.rule_key.is_not(None)).order_by(task.c.id)))


def new_lead(world, user: str = "rep1", **values) -> object:
    return create(world.ctx(user), "lead", world.lead(**A, **values))


def test_an_objection_with_a_reply_promise_is_due_across_a_make_up_working_day(world):
    world.freeze("2024-09-27 16:00")  # Friday; Sat 09-28 off, Sun 09-29 a 调休 working day
    lead = new_lead(world)
    create(world.ctx("sup1"), "followup", followup_input(
        lead.id, local("2024-09-27 15:00"), "objection",
        "客户认为价格偏高，我们承诺2个工作日内给出分期方案"))
    [task] = rule_tasks(world, lead.id)
    assert task.due_at == local("2024-09-30 18:00")  # Sun 09-29 and Mon 09-30
    assert task.title == f"回复客户异议（{lead.lead_no}）"
    assert (task.kind, task.status, task.assignee_id) == (
        "objection_reply", "todo", world.ids["sup1"])  # the follow-up's author


def test_an_objection_without_the_promise_makes_no_task(world):
    world.freeze("2024-09-27 16:00")
    lead = new_lead(world)
    create(world.ctx("rep1"), "followup", followup_input(
        lead.id, local("2024-09-27 15:00"), "objection", "客户认为价格偏高，下周再议"))
    assert rule_tasks(world, lead.id) == []


def test_a_demo_wants_the_materials_in_three_working_days_and_closes_when_sent(world):
    world.freeze("2024-09-29 10:30")  # a 调休 Sunday; 10-01..07 is the National Day holiday
    lead = new_lead(world)
    create(world.ctx("rep1"), "followup", followup_input(
        lead.id, local("2024-09-29 10:00"), "demo", "线上演示，客户关注数据安全模块"))
    [task] = rule_tasks(world, lead.id)
    assert (task.due_at, task.kind, task.assignee_id) == (
        local("2024-10-09 18:00"), "send_materials", world.ids["rep1"])
    world.freeze("2024-10-08 09:00")
    update(world.ctx("rep1"), "lead", lead.id, {"remark": "资料整理中"})
    assert rule_tasks(world, lead.id)[0].status == "todo"
    update(world.ctx("rep1"), "lead", lead.id, {"materials_sent_at": local("2024-10-08 09:00")})
    [closed] = rule_tasks(world, lead.id)
    assert closed.status == "done"
    audit = world.models.metadata.tables["ll_audit"]
    changes = list(world.session.execute(sa.select(audit).where(
        audit.c.entity == "task", audit.c.record_id == task.id).order_by(audit.c.id)))
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].comment == "规则自动完成：发送演示资料"


def test_a_demo_after_the_materials_went_out_makes_no_task(world):
    world.freeze("2024-10-10 10:00")
    lead = new_lead(world, materials_sent_at=local("2024-10-09 17:00"))
    create(world.ctx("rep1"), "followup", followup_input(
        lead.id, local("2024-10-10 09:00"), "demo", "二次演示"))
    assert rule_tasks(world, lead.id) == []


def test_a_passed_close_date_makes_one_reminder_per_date(world):
    world.freeze("2024-04-01 09:00")
    lead = new_lead(world, expected_amount=150000, expected_close_date=dt.date(2024, 4, 30))
    world.session.execute(sa.update(world.models.cls("lead").__table__).where(
        world.models.cls("lead").id == lead.id).values(stage="negotiation"))
    world.session.commit()
    job = world.ctx(None)
    periodic.tick(job, local("2024-04-30 12:00"), only=("tasks",))
    assert rule_tasks(world, lead.id) == []  # not passed yet
    world.freeze("2024-05-06 09:00")  # after the 05-01..05 holiday
    for _ in range(2):  # the hourly job again: the same event, no second task
        periodic.tick(job, local("2024-05-06 09:00"), only=("tasks",))
    [reminder] = rule_tasks(world, lead.id)
    assert (reminder.kind, reminder.status) == ("close_date", "todo")
    assert reminder.due_at == local("2024-05-07 18:00")  # one working day
    update(world.ctx("rep1"), "lead", lead.id, {"remark": "客户内部审批中"})
    assert len(rule_tasks(world, lead.id)) == 1
    update(world.ctx("rep1"), "lead", lead.id, {"expected_close_date": dt.date(2024, 5, 31)})
    assert [t.status for t in rule_tasks(world, lead.id)] == ["done"]  # the date moved on
    world.freeze("2024-06-03 09:00")
    periodic.tick(job, local("2024-06-03 09:00"), only=("tasks",))
    assert [t.status for t in rule_tasks(world, lead.id)] == ["done", "todo"]  # a new date


def test_a_batch_of_follow_ups_makes_the_same_tasks_set_based(world):
    world.freeze("2024-09-29 11:00")
    leads = [new_lead(world) for _ in range(3)]
    rows = [followup_input(leads[0].id, local("2024-09-29 10:00"), "demo", "演示"),
            followup_input(leads[1].id, local("2024-09-29 10:00"), "objection",
                           "预算有疑问，2个工作日内答复"),
            followup_input(leads[2].id, local("2024-09-29 10:00"), "routine", "电话回访"),
            followup_input(leads[0].id, local("2024-09-29 10:30"), "demo", "补充演示")]
    ids = bulk_create(world.ctx("rep1"), "followup", rows)
    made = [rule_tasks(world, lead.id) for lead in leads]
    assert [[t.kind for t in tasks] for tasks in made] == [
        ["send_materials", "send_materials"], ["objection_reply"], []]
    assert [t.rule_key for t in made[0]] == [f"demo_materials:followup:{ids[0]}",
                                            f"demo_materials:followup:{ids[3]}"]
    assert made[1][0].due_at == local("2024-10-08 18:00")  # Mon 09-30, then after the holiday


def test_loaded_history_makes_only_the_tasks_still_due_at_its_end(world):
    world.freeze("2026-11-30 10:00")  # the loading runs later than the history ends
    lead = new_lead(world)
    owner = world.ids["rep1"]
    rows = [{**followup_input(lead.id, local(at), "demo", note), "owner": owner,
             "created_at": local(at)}
            for at, note in (("2024-10-10 10:00", "早前演示"), ("2024-11-19 10:00", "昨天演示"))]
    without_end = world.ctx(None)
    bulk_create(without_end, "followup", [dict(r) for r in rows])
    assert rule_tasks(world, lead.id) == []  # history with no end given: no task
    loader = world.ctx(None)
    loader.meta[HISTORY_NOW] = local("2024-11-20 10:00")
    bulk_create(loader, "followup", rows)
    [task] = rule_tasks(world, lead.id)
    assert task.due_at == local("2024-11-22 18:00")
    assert task.created_at == local("2024-11-19 10:00")  # dated with its follow-up
