"""The planner: every lead's rows are consistent, plausible and reproducible."""

from __future__ import annotations

import random
from collections import Counter

from leadloom.demo.arrivals import arrivals
from leadloom.demo.firmographics import SOURCES
from leadloom.demo.planner import LeadBundle, Planner
from leadloom.demo.users import DEMO_USERS
from leadloom.demo.workdays import AS_OF, to_utc

USER_IDS = {u.username: i for i, u in enumerate(DEMO_USERS, start=1)}
SOURCE_IDS = {s.code: i for i, s in enumerate(SOURCES, start=1)}


def _plan(seed: int, leads: int) -> list[LeadBundle]:
    rng = random.Random(seed)
    planner = Planner(rng, USER_IDS, SOURCE_IDS)
    return [planner.plan(a) for a in arrivals(rng, leads)]


def test_same_seed_same_rows_different_seed_different_rows():
    assert _plan(11, 400) == _plan(11, 400)
    assert [b.lead for b in _plan(11, 400)] != [b.lead for b in _plan(12, 400)]


def test_volumes_and_statuses_are_plausible():
    bundles = _plan(13, 5000)
    status = Counter(b.lead["status"] for b in bundles)
    accounts = sum(1 for b in bundles if b.account)
    contracts = sum(1 for b in bundles if b.contract)
    followups = sum(len(b.followups) for b in bundles)
    assert 0.10 < accounts / len(bundles) < 0.18
    assert 0.025 < contracts / len(bundles) < 0.055
    assert 3.0 < followups / len(bundles) < 5.0
    assert 0.17 < status["invalid"] / len(bundles) < 0.26
    # only a contract finance confirmed counts as won; the others wait in 成交签约
    confirmed = sum(1 for b in bundles
                    if b.contract and b.contract["finance_status"] == "confirmed")
    assert status["won"] == confirmed
    assert sum(1 for b in bundles if b.lead["stage"] == "signing") == contracts - confirmed


def test_every_rep_owns_leads_in_their_unit_share():
    bundles = _plan(14, 3000)
    owners = Counter(b.lead["owner"] for b in bundles)
    reps = [u for u in DEMO_USERS if "rep" in u.roles]
    assert {USER_IDS[u.username] for u in reps} == set(owners)
    east = sum(owners[USER_IDS[u.username]] for u in reps if u.unit == "east")
    assert 0.55 < east / len(bundles) < 0.65


def test_rows_are_consistent_with_each_other():
    as_of = to_utc(AS_OF)
    for bundle in _plan(15, 2000):
        lead = bundle.lead
        if lead["status"] in ("converted", "won"):
            assert bundle.account is not None
        if bundle.account is not None:
            assert lead["status"] in ("converted", "won", "lost")
            assert bundle.account["name"] == lead["customer_name"]
        else:
            assert not bundle.contacts
        assert (bundle.contract is not None) == (lead["stage"] in ("signing", "after_sales"))
        confirmed = bundle.contract is not None and bundle.contract["finance_status"] == "confirmed"
        assert confirmed == (lead["status"] == "won") == (lead["stage"] == "after_sales")
        if lead["status"] == "invalid":
            assert lead["invalid_reason"] and lead["grade"] is None
            assert len(bundle.followups) <= 1
        for followup in bundle.followups:
            assert lead["created_at"] <= followup["occurred_at"] <= as_of
        if bundle.followups:
            assert lead["last_followup_at"] == max(f["occurred_at"] for f in bundle.followups)
        for task in bundle.tasks:
            assert task["status"] in ("todo", "done", "overdue", "cancelled")
        if bundle.contract:
            assert bundle.contract["amount"] > 0
            assert bundle.contract["contract_no"].startswith("HT")
