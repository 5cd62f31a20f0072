"""Assignment by the lead, not the typist: the territory picks the unit whoever enters the
lead; a lead no territory takes goes to the default unit, whose managers hear of it when it
waits in the pool; people away (不在岗) and people at a rule's cap are skipped, and the
history row says who was considered and why; an existing customer's lead goes to the
account's owner and is marked upsell."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from leadloom.records import RecordError, RecordInvalid, create
from leadloom.records.leads.timeline import timeline
from tests.conftest import PASSWORD

C = {"budget_status": "unclear", "need_clarity": "vague"}
KEY = {"employee_range": "5000+"}


def edit_config(folder: Path) -> None:
    """East's key-account rule takes at most one open lead per supervisor."""
    path = folder / "leads.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["assignment"]["rules"] if r["code"] == "key_accounts")
    rule["cap"] = 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def decision(world, lead_id: int, kind: str = "assigned") -> dict:
    return next(e for e in world.events(lead_id) if e.kind == kind).detail


@pytest.mark.parametrize("typist", ["mkt1", "sup1", "sup2", None])
def test_a_chengdu_lead_goes_west_whoever_typed_it(world, typist):
    world.freeze("2025-03-03 10:00")
    lead = create(world.ctx(typist, "import" if typist is None else "api"), "lead",
                  world.lead(province="四川", city="成都", need_clarity="clear"))
    assert lead.unit == "west" and lead.owner_id in (world.ids["rep3"], world.ids["rep4"])
    found = decision(world, lead.id)
    assert found["territory"] == "west" and found["rule"] == "west_reps"


@pytest.mark.parametrize("typist", ["mkt1", "sup1"])
def test_marketings_key_account_goes_to_the_territorys_supervisor(world, typist):
    lead = create(world.ctx(typist), "lead", world.lead(province="陕西", **KEY))
    assert lead.owner_id == world.ids["sup2"] and lead.unit == "west"
    assert decision(world, lead.id)["rule"] == "key_accounts"


def test_marketings_west_leads_split_two_to_one(world):
    owners = [create(world.ctx("mkt1"), "lead", world.lead(province="重庆")).owner_id
              for _ in range(6)]
    assert sorted(owners.count(world.ids[u]) for u in ("rep3", "rep4")) == [2, 4]


def test_a_reps_own_lead_stays_theirs_wherever_it_is(world):
    lead = create(world.ctx("rep1"), "lead", world.lead(province="四川"))
    assert lead.owner_id == world.ids["rep1"] and lead.unit == "east"


def test_no_territory_default_unit_pool_and_its_managers_are_told(world):
    before = {u: len(world.inbox(u)) for u in ("sup1", "sup2")}
    lead = create(world.ctx("mkt1"), "lead", world.lead(**C))
    assert lead.owner_id is None and lead.pool == "public" and lead.unit == "east"
    told = world.inbox("sup1")[before["sup1"]:]
    assert len(told) == 1 and lead.lead_no in told[0] and "未匹配任何区域" in told[0]
    assert len(world.inbox("sup2")) == before["sup2"]
    pooled = decision(world, lead.id, "pooled")
    assert pooled["territory"] is None and pooled["unit"] == "east"
    assert pooled["rule"] is None and pooled["reason"] == "no_rule_took_it"
    # a territory's pooled lead (grade C from 四川) is the unit's usual business: no notice
    create(world.ctx("mkt1"), "lead", world.lead(province="四川", **C))
    assert len(world.inbox("sup2")) == before["sup2"]


def test_the_rules_cap_passes_a_full_supervisor_over(world):
    first = create(world.ctx("mkt1"), "lead", world.lead(province="上海", **KEY))
    second = create(world.ctx("mkt1"), "lead", world.lead(province="上海", **KEY))
    assert first.owner_id == world.ids["sup1"]
    assert second.owner_id in (world.ids["rep1"], world.ids["rep2"])
    found = decision(world, second.id)
    assert found["rule"] == "unit_reps"
    full = [c for c in found["candidates"] if c["user"] == world.ids["sup1"]]
    assert full == [{"user": world.ids["sup1"], "name": "李强", "rule": "key_accounts",
                     "open_leads": 1, "skipped": "over_cap"}]


def test_time_away_skips_a_rep_until_the_day_after(world):
    world.freeze("2025-04-01 10:00")
    away = create(world.ctx("rep3"), "absence", {"starts_on": "2025-04-01",
                                                 "ends_on": "2025-04-03", "reason": "vacation"})
    owners = {create(world.ctx("mkt1"), "lead", world.lead(province="四川")).owner_id
              for _ in range(3)}
    assert owners == {world.ids["rep4"]}
    lead = create(world.ctx("mkt1"), "lead", world.lead(province="四川"))
    skipped = [c for c in decision(world, lead.id)["candidates"]
               if c["user"] == world.ids["rep3"]]
    assert [c["skipped"] for c in skipped] == ["away"]
    line = next(e for e in timeline(world.ctx("sup2"), lead.id) if e.title == "分配")
    assert "规则 中西部销售(2:1)" in line.detail and "跳过 陈静（不在岗）" in line.detail
    audit = world.models.metadata.tables["ll_audit"]
    row = world.session.execute(sa.select(audit).where(
        audit.c.entity == "absence", audit.c.record_id == away.id)).one()
    assert row.actor == "rep3" and row.changes["ends_on"] == [None, "2025-04-03"]
    world.freeze("2025-04-04 09:00")
    owners = {create(world.ctx("mkt1"), "lead", world.lead(province="四川")).owner_id
              for _ in range(3)}
    assert world.ids["rep3"] in owners


def test_a_supervisor_sets_time_away_for_their_team_only(world):
    dates = {"starts_on": "2025-05-05", "ends_on": "2025-05-06", "reason": "training"}
    by_sup = create(world.ctx("sup2"), "absence", {**dates, "owner": world.ids["rep4"]})
    assert by_sup.owner_id == world.ids["rep4"]
    with pytest.raises(RecordError):
        create(world.ctx("sup1"), "absence", {**dates, "owner": world.ids["rep4"]})
    world.session.rollback()
    with pytest.raises(RecordInvalid) as refused:
        create(world.ctx("rep4"), "absence", {**dates, "ends_on": "2025-05-01"})
    world.session.rollback()
    assert "ends_on" in refused.value.errors


def test_an_existing_customers_lead_goes_to_the_account_owner_as_upsell(world):
    world.freeze("2025-06-02 10:00")
    account = create(world.ctx("rep2"), "account", {"name": "成都老客户科技有限公司",
                                                     "industry": "manufacturing"})
    create(world.ctx("rep2"), "contact", {"name": "王总", "account": account.id,
                                          "mobile": "13912345678",
                                          "email": "wang@laokehu.cn"})
    by_phone = create(world.ctx(None, "import"), "lead", world.lead(
        province="四川", contact_phone="139-1234-5678"))
    by_mail = create(world.ctx("sup2"), "lead", world.lead(contact_email="Wang@LaoKeHu.cn"))
    by_name = create(world.ctx("mkt1"), "lead", world.lead(customer_name="成都老客户科技有限公司"))
    for lead in (by_phone, by_mail, by_name):
        assert lead.owner_id == world.ids["rep2"] and lead.upsell is True
        assert lead.unit == "east"
        found = decision(world, lead.id)
        assert found["rule"] == "existing_customer" and found["account"] == account.id
    other = create(world.ctx("mkt1"), "lead", world.lead(province="四川"))
    assert not other.upsell


def test_an_away_account_owner_leaves_the_upsell_to_the_territory(world):
    world.freeze("2025-06-09 10:00")
    account = create(world.ctx("rep1"), "account", {"name": "西安老客户有限公司",
                                                     "industry": "manufacturing"})
    create(world.ctx("rep1"), "absence", {"starts_on": "2025-06-09", "ends_on": "2025-06-13",
                                          "reason": "sick"})
    lead = create(world.ctx("mkt1"), "lead", world.lead(customer_name="西安老客户有限公司",
                                                        province="陕西"))
    assert lead.upsell is True and lead.unit == "west"
    assert lead.owner_id in (world.ids["rep3"], world.ids["rep4"])
    found = decision(world, lead.id)
    assert found["candidates"][0] == {"user": world.ids["rep1"], "name": "张伟",
                                      "rule": "existing_customer",
                                      "open_leads": found["candidates"][0]["open_leads"],
                                      "skipped": "away"}
    assert found["rule"] == "west_reps" and account.owner_id == world.ids["rep1"]


def test_an_account_owner_who_left_leaves_the_upsell_to_the_territory(world):
    from flask_appbuilder.security.sqla.models import User

    from leadloom.web.users import add_user

    add_user("rep9", roles=("rep",), password=PASSWORD, team="east-1", unit=None, name="周离")
    gone = world.st.appbuilder.sm.find_user(username="rep9").id
    create(world.ctx(None), "account", {"name": "杭州离职客户有限公司", "owner": gone,
                                        "industry": "manufacturing"})
    world.session.execute(sa.update(User).where(User.id == gone).values(active=False))
    world.session.commit()
    lead = create(world.ctx("mkt1"), "lead", world.lead(customer_name="杭州离职客户有限公司",
                                                        province="浙江"))
    assert lead.upsell is True and lead.owner_id in (world.ids["rep1"], world.ids["rep2"])
    assert decision(world, lead.id)["candidates"][0]["skipped"] == "inactive"
