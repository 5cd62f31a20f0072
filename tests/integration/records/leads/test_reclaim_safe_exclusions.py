"""The nightly reclaim is safe by default (frozen clock, across 国庆 2024): the shipped
``exclude`` keeps live deals — past the first stage, with a contract awaiting finance or
an approval pending — and protected leads (保护至, set by a supervisor only) out of the
reclaim and out of its warnings; the dry run counts exactly what the reclaim returns and
writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from leadloom.records import RecordInvalid, create, update
from leadloom.records.leads import periodic
from leadloom.records.leads.reclaim_scope import idle_leads, would_reclaim

START = "2024-09-27 10:00"  # the Friday before 国庆; East reclaims after 60 days


def edit_config(folder):
    """A world of its own: the reclaim counts every lead of the database."""


def owned(world, **values) -> int:
    return create(world.ctx("sup1"), "lead", world.lead(owner=world.ids["rep1"],
                                                        **values)).id


def with_contract(world) -> int:
    pk = owned(world)
    account = create(world.ctx(None), "account", {"name": f"合同客户{pk}",
                                                  "industry": "manufacturing",
                                                  "owner": world.ids["rep1"]})
    create(world.ctx("rep1"), "contract", {
        "contract_no": f"HT-{pk}", "account": account.id, "lead": pk, "amount": 120000,
        "sign_date": "2024-09-27", "product_type": ["subscription"]})
    return pk


@pytest.fixture(scope="module")
def leads(world):
    start = world.freeze(START)
    made = {"idle": owned(world), "staged": owned(world), "contract": with_contract(world),
            "approval": owned(world), "protected": owned(world), "expired": owned(world)}
    update(world.ctx(None), "lead", made["staged"], {"stage": "discovery", "grade": "B",
                                                     "budget_status": "to_confirm"})
    update(world.ctx("rep1"), "lead", made["approval"], {"discount_pct": 10})  # 5-15 %: asks
    update(world.ctx("sup1"), "lead", made["protected"], {"protected_until": "2024-12-31"})
    update(world.ctx("sup1"), "lead", made["expired"], {"protected_until": "2024-10-31"})
    return start, made


def on(world, start: dt.datetime, day: int) -> dt.datetime:
    """Day ``day`` after the start, 02:00 in Shanghai, with the rules' clock there."""
    moment = start.replace(hour=18) + dt.timedelta(days=day - 1)
    world.freeze((moment + dt.timedelta(hours=8)).isoformat(sep=" "))
    return moment


def warned(world, pk: int) -> bool:
    number = world.row("lead", pk).lead_no
    return any(number in title and "天后将退回公海" in title for title in world.inbox("rep1"))


def test_a_rep_cannot_protect_a_lead(world, leads):
    _, made = leads
    with pytest.raises(RecordInvalid) as refused:
        update(world.ctx("rep1"), "lead", made["idle"], {"protected_until": "2025-01-31"})
    assert "protected_until" in refused.value.errors
    assert world.row("lead", made["idle"]).protected_until is None


def test_setting_protection_is_audited(world, leads):
    _, made = leads
    audit = world.models.metadata.tables["ll_audit"]
    rows = world.session.execute(sa.select(audit).where(
        audit.c.entity == "lead", audit.c.record_id == made["protected"],
        audit.c.action == "update")).all()
    assert any("protected_until" in str(row.changes) and row.actor_id == world.ids["sup1"]
               for row in rows)


def test_only_idle_unprotected_first_stage_leads_are_warned_and_reclaimed(world, leads):
    start, made = leads
    system = world.ctx(None, "job")
    periodic.reclaim(system, on(world, start, 57))
    assert {name for name, pk in made.items() if warned(world, pk)} == {"idle", "expired"}
    moment = on(world, start, 60)
    versions = {pk: world.row("lead", pk).version for pk in made.values()}
    assert would_reclaim(system, moment) == {"east": 2}
    assert {pk: world.row("lead", pk).version for pk in made.values()} == versions
    assert periodic.reclaim(system, moment) == 2
    back = {name for name, pk in made.items() if world.row("lead", pk).owner_id is None}
    assert back == {"idle", "expired"}
    assert world.row("lead", made["idle"]).pool == "public"


def test_protection_ends_on_its_date(world, leads):
    start, made = leads
    system = world.ctx(None, "job")
    assert would_reclaim(system, on(world, start, 95)) == {}  # 2024-12-31: still protected
    due = [i.row.id for i in idle_leads(system, on(world, start, 96)) if i.due]  # 2025-01-01
    assert due == [made["protected"]]
