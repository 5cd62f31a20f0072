"""Grading: BNAU cases in order, the value, overrides with a reason, the history."""

from __future__ import annotations

import pytest

from leadloom.records import RecordInvalid, create, update

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}


@pytest.mark.parametrize(("bnau", "grade", "value"), [
    (A, "A", "high"),
    ({**A, "purchase_timeline": "3_6m"}, "B", "medium"),
    ({"budget_status": "unclear", "need_clarity": "vague"}, "C", "low"),
    ({"authority": "none", "purchase_timeline": "over_6m"}, "C", "medium"),
    ({"need_clarity": "partial"}, "B", "medium"),
    ({}, None, None),  # nothing known yet: ungraded, gracefully
])
def test_grade_and_value_from_the_first_matching_case(world, bnau, grade, value):
    lead = create(world.ctx("rep1"), "lead", world.lead(**bnau))
    assert (lead.grade, lead.grade_auto, lead.value_level) == (grade, grade, value)


def test_changing_bnau_regrades_and_keeps_the_history(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(need_clarity="partial"))
    changed = update(world.ctx("rep1"), "lead", lead.id, A)
    assert changed.grade == "A"
    grades = [(e.old, e.new) for e in world.events(lead.id) if e.kind == "grade"]
    assert grades == [(None, "B"), ("B", "A")]


def test_a_supervisor_overrides_with_a_reason_and_the_record_shows_both(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(need_clarity="partial"))
    with pytest.raises(RecordInvalid) as refused:
        update(world.ctx("sup1"), "lead", lead.id, {"grade": "A"})
    assert "grade_reason" in refused.value.errors
    done = update(world.ctx("sup1"), "lead", lead.id, {"grade": "A",
                                                       "grade_reason": "集团客户,预算已批"})
    assert (done.grade, done.grade_auto, done.grade_override) == ("A", "B", "A")
    last = [e for e in world.events(lead.id) if e.kind == "grade"][-1]
    assert (last.old, last.new, last.reason) == ("B", "A", "集团客户,预算已批")
    assert any("分级由 B级 调整为 A级" in t for t in world.inbox("rep1"))
    # the rules change their mind: the manual grade stays in force
    kept = update(world.ctx("rep1"), "lead", lead.id, {"need_clarity": "vague",
                                                       "budget_status": "unclear"})
    assert (kept.grade, kept.grade_auto) == ("A", "C")
    back = update(world.ctx("sup1"), "lead", lead.id, {"grade": None})
    assert (back.grade, back.grade_override) == ("C", None)


def test_reps_cannot_override(world):
    lead = create(world.ctx("rep1"), "lead", world.lead())
    with pytest.raises(RecordInvalid) as refused:
        update(world.ctx("rep1"), "lead", lead.id, {"grade": "A", "grade_reason": "x"})
    assert set(refused.value.errors) == {"grade", "grade_reason"}
