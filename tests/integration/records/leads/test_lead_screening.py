"""Screening: flags, 待核实, and 无效 only with a reason; nothing is deleted."""

from __future__ import annotations

import pytest

from leadloom.records import RecordInvalid, create, update


def test_a_lead_outside_the_target_industries_is_flagged_for_review(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(industry="government"))
    assert lead.status == "to_verify"
    assert lead.screening_flags == ["no_contact", "non_target_industry"]


def test_flag_only_rules_keep_the_status(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(is_decision_maker=False))
    assert lead.status == "new"
    assert lead.screening_flags == ["no_contact", "not_decision_maker"]


def test_the_five_field_lead_of_the_existing_tests_passes(world):
    lead = create(world.ctx("rep2"), "lead", world.lead(contact_phone="13600001234"))
    assert lead.status == "new" and lead.screening_flags == []


def test_a_need_that_does_not_fit_is_reviewed_and_fixing_it_clears_the_review(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(matches_core_product="no",
                                                        contact_email="a@b.cn"))
    assert lead.status == "to_verify" and lead.screening_flags == ["need_mismatch"]
    fixed = update(world.ctx("rep1"), "lead", lead.id, {"matches_core_product": "yes"})
    assert fixed.status == "assigned" and fixed.screening_flags == []


def test_invalid_needs_a_reason_and_keeps_the_lead(world):
    lead = create(world.ctx("rep1"), "lead", world.lead())
    with pytest.raises(RecordInvalid) as refused:
        update(world.ctx("rep1"), "lead", lead.id, {"status": "invalid"})
    assert "invalid_reason" in refused.value.errors
    done = update(world.ctx("rep1"), "lead", lead.id, {"status": "invalid",
                                                       "invalid_reason": "bad_contact"})
    assert done.status == "invalid" and world.row("lead", lead.id).invalid_reason == "bad_contact"


def test_a_unit_overrides_its_target_industries(world):
    east = create(world.ctx("rep1"), "lead", world.lead(industry="semiconductor"))
    assert "non_target_industry" not in east.screening_flags
