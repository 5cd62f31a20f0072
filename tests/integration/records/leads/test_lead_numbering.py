"""Lead numbers: the pattern, local dates, one gapless counter per prefix."""

from __future__ import annotations

import pytest

from leadloom.records import RecordInvalid, bulk_create, create


def test_numbers_follow_the_pattern_per_source_and_local_day(world):
    world.freeze("2023-03-15 00:30")  # still 03-14 in UTC: the day is Shanghai's
    numbers = [create(world.ctx("rep1"), "lead", world.lead()).lead_no for _ in range(3)]
    assert numbers == ["WEB-20230315-001", "WEB-20230315-002", "WEB-20230315-003"]
    expo = create(world.ctx("rep1"), "lead", world.lead(source=world.sources["EXPO"]))
    assert expo.lead_no == "EXPO-20230315-001"
    world.freeze("2023-03-16 09:00")
    assert create(world.ctx("rep2"), "lead", world.lead()).lead_no == "WEB-20230316-001"


def test_a_refused_create_gives_its_number_back(world):
    world.freeze("2023-04-01 10:00")
    first = create(world.ctx("rep1"), "lead", world.lead(contact_phone="13711112222"))
    assert first.lead_no == "WEB-20230401-001"
    with pytest.raises(RecordInvalid):  # rep2 may not see rep1's lead: the phone blocks
        create(world.ctx("rep2"), "lead", world.lead(contact_phone="+86 137-1111-2222"))
    assert create(world.ctx("rep2"), "lead", world.lead()).lead_no == "WEB-20230401-002"


def test_imported_history_keeps_its_numbers_and_the_counter_continues(world):
    world.freeze("2023-05-06 10:00")
    bulk_create(world.ctx(None, "import"), "lead", [
        world.lead(lead_no="WEB-20230506-007", owner=world.ids["rep1"])])
    assert create(world.ctx("rep1"), "lead", world.lead()).lead_no == "WEB-20230506-008"


def test_bulk_import_numbers_every_row_like_a_form(world):
    world.freeze("2023-05-07 11:00")
    ids = bulk_create(world.ctx("sup1", "import"), "lead", [world.lead() for _ in range(4)])
    numbers = [world.row("lead", pk).lead_no for pk in ids]
    assert numbers == [f"WEB-20230507-00{i}" for i in range(1, 5)]


def test_users_cannot_choose_a_number(world):
    with pytest.raises(RecordInvalid) as refused:
        create(world.ctx("admin"), "lead", world.lead(lead_no="MY-1"))
    assert refused.value.errors["lead_no"] == ["read-only for your role"]
