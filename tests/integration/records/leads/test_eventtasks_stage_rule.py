"""A ``task_rules`` rule on a stage being entered (``old.``/``new.`` around the save), due in
hours and assigned to a role of the lead's unit: the unit's supervisor gets one task per
entry, the hourly sweep (which sees no save) adds none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from leadloom.records import create, update
from leadloom.records.leads import periodic

RULE = """
  - code: negotiation_review
    zh: 复核谈判条件
    en: Review the terms
    event: lead
    when: "new.stage == 'negotiation' and old.stage != 'negotiation'"
    kind: other
    assignee: {role: supervisor}
    due: 4h
    once_per: stage
"""


def edit_config(folder: Path) -> None:
    path = folder / "leads.yaml"
    path.write_text(path.read_text(encoding="utf-8") + RULE, encoding="utf-8")


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)


def test_entering_negotiation_asks_the_units_supervisor_within_four_hours(world):
    world.freeze("2024-10-08 09:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(
        budget_status="sufficient", need_clarity="clear", authority="decides",
        purchase_timeline="within_1m", expected_amount=100000,
        expected_close_date=dt.date(2031, 6, 30)))
    task = world.models.cls("task").__table__

    def reviews():
        return list(world.session.execute(sa.select(task).where(
            task.c.lead_id == lead.id, task.c.rule_key.like("negotiation_review:%"))))

    system = world.ctx(None)
    update(system, "lead", lead.id, {"stage": "solution"})
    assert reviews() == []
    world.freeze("2024-10-08 10:00")
    update(system, "lead", lead.id, {"stage": "negotiation"})
    [review] = reviews()
    assert (review.assignee_id, review.due_at) == (world.ids["sup1"], local("2024-10-08 14:00"))
    update(world.ctx("rep1"), "lead", lead.id, {"remark": "条款已发出"})
    periodic.tick(system, local("2024-10-08 11:00"), only=("tasks",))
    assert len(reviews()) == 1
