"""查重: normalised keys, block or warn, masked messages; merging two leads."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from leadloom.records import NotFound, RecordInvalid, bulk_create, create
from leadloom.records.leads.merge import merge


def test_the_same_phone_in_another_form_blocks_a_rep_who_cannot_see_the_lead(world):
    world.freeze("2024-08-01 10:00")
    first = create(world.ctx("rep1"), "lead", world.lead(contact_phone="13912345678"))
    with pytest.raises(RecordInvalid) as refused:
        create(world.ctx("rep2"), "lead", world.lead(contact_phone="+86 139-1234-5678"))
    message = refused.value.errors["contact_phone"][0]
    assert first.lead_no in message and "新建" in message and "张*" in message
    assert "张伟" not in message and first.customer_name not in message


def test_a_supervisor_who_sees_the_match_is_warned_and_told_where(world):
    first = create(world.ctx("rep1"), "lead", world.lead(contact_phone="13912340000"))
    second = create(world.ctx("sup1"), "lead", world.lead(contact_phone="139 1234 0000",
                                                          owner=world.ids["rep2"]))
    assert first.lead_no in second.duplicate_hint
    assert any(first.lead_no in t for t in world.inbox("sup1"))
    assert any(second.lead_no in t for t in world.inbox("rep1"))  # FYI to the owner


@pytest.mark.parametrize(("first", "second", "field"), [
    ({"contact_email": "Zhang.Wei@Example.com"}, {"contact_email": "zhang.wei@example.COM"},
     "contact_email"),
    ({"customer_name": "苏州恒鼎精密机械有限公司"},
     {"customer_name": "苏州恒鼎精密机械股份有限公司"}, "customer_name"),
    ({"customer_name": "苏州恒鼎电子科技（集团）有限公司"},
     {"customer_name": "苏州恒鼎电子科技(集团)有限公司"}, "customer_name"),
])
def test_exact_matches_after_normalising_warn(world, first, second, field):
    a = create(world.ctx("rep1"), "lead", world.lead(**first))
    b = create(world.ctx("rep2"), "lead", world.lead(**second))
    assert a.lead_no in b.duplicate_hint


def test_similar_company_names_warn_only(world):
    a = create(world.ctx("rep1"), "lead", world.lead(customer_name="杭州瑞拓网络科技有限公司"))
    b = create(world.ctx("rep3"), "lead", world.lead(customer_name="杭州瑞拓网络科技服务有限公司"))
    assert a.lead_no in b.duplicate_hint and "相似" in b.duplicate_hint


def test_the_credit_code_blocks(world):
    code = "91330100MA2B3C4D5E"
    create(world.ctx("rep3"), "lead", world.lead(credit_code=code))
    with pytest.raises(RecordInvalid) as refused:
        create(world.ctx("rep1"), "lead", world.lead(credit_code=code))
    assert "credit_code" in refused.value.errors


def test_rows_of_one_import_are_checked_against_each_other(world):
    """As two creates one after the other: the second names the first by its number (both
    West's, so sup2 sees the first), the first does not name the second (it may name an
    older lead of the shared world whose company name is alike)."""
    ids = bulk_create(world.ctx("sup2", "import"), "lead", [
        world.lead(contact_phone="13500001111", province="四川"),
        world.lead(contact_phone="13500001111", province="四川")])
    first, second = (world.row("lead", pk) for pk in ids)
    assert second.lead_no not in (first.duplicate_hint or "")
    assert f"已有线索 {first.lead_no}" in second.duplicate_hint


def test_a_row_of_an_import_is_refused_for_an_earlier_row_the_user_cannot_see(world):
    """sup1 imports a lead for rep3 (another team: sup1 cannot see it) and one with the
    same phone: refused, as the second of two creates would be."""
    ctx = world.ctx("sup1", "import")
    with pytest.raises(RecordInvalid) as refused:
        bulk_create(ctx, "lead", [world.lead(contact_phone="13500002222",
                                             owner=world.ids["rep3"]),
                                  world.lead(contact_phone="13500002222")])
    assert "1.contact_phone" in refused.value.errors


def test_a_supervisor_merges_two_leads_keeping_values_follow_ups_and_history(world):
    world.freeze("2024-08-05 10:00")
    keep = create(world.ctx("rep1"), "lead", world.lead(contact_phone="13822223333"))
    drop = create(world.ctx("sup1"), "lead", world.lead(
        contact_phone="13822223333", contact_email="li@kehu.cn", remark="展会名片",
        owner=world.ids["rep2"]))
    create(world.ctx("rep2"), "followup", {
        "lead": drop.id, "occurred_at": dt.datetime(2024, 8, 5, 1, 0), "method": "phone",
        "summary": "初次电话沟通,客户有兴趣", "customer_feedback": "interested"})
    with pytest.raises(NotFound):  # rep2 cannot see rep1's lead
        merge(world.ctx("rep2"), keep.id, drop.id)
    merged = merge(world.ctx("sup1"), keep.id, drop.id)
    assert merged.contact_email == "li@kehu.cn" and merged.remark == "展会名片"
    assert merged.followup_count == 1 and merged.first_contact_at is not None
    gone = world.row("lead", drop.id)
    assert (gone.status, gone.invalid_reason, gone.merged_into) == (
        "invalid", "duplicate", keep.lead_no)
    followup = world.models.cls("followup").__table__
    assert world.session.scalar(sa.select(followup.c.lead_id).where(
        followup.c.summary == "初次电话沟通,客户有兴趣")) == keep.id
    merged_event = next(e for e in world.events(keep.id) if e.kind == "merged")
    assert merged_event.actor_id == world.ids["sup1"] and merged_event.old == drop.lead_no
    assert "contact_email" in merged_event.detail["took"]
    assert [e.kind for e in world.events(drop.id)][-1] == "merged_into"
    # the merged lead no longer counts as a duplicate
    again = create(world.ctx("sup1"), "lead", world.lead(contact_phone="138 2222 3333",
                                                         owner=world.ids["rep1"]))
    assert drop.lead_no not in (again.duplicate_hint or "")
