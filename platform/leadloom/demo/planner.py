"""Turns one lead arrival into every row it implies: lead, account, contacts, follow-ups,
tasks and contract. Pure (no database): ids are filled in by the generator."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

from leadloom.demo.activities import followup_rows, kept_up, plan_touches, task_rows
from leadloom.demo.approvals import Approvals
from leadloom.demo.arrivals import Arrival, arrivals
from leadloom.demo.deals import (
    ContractNumbers,
    account_row,
    contact_rows,
    contract_row,
    deal_amount,
)
from leadloom.demo.distributions import clipped, lognormal
from leadloom.demo.firmographics import GRADE_MIX, SOURCE_BY_CODE
from leadloom.demo.funnel import (
    Journey,
    StageStep,
    assigned,
    funnel_values,
    plan_journey,
    stage_path,
)
from leadloom.demo.leads import converted_on, followup_stamps, is_open, lead_row
from leadloom.demo.prospects import Prospect, Prospects
from leadloom.demo.users import reps_by_unit
from leadloom.demo.workdays import AS_OF, SHANGHAI_OFFSET, to_utc
from leadloom.records import DecidedApproval

UNIT_SHARE = (("east", 0.6), ("west", 0.4))
#: the first chunks' sizes: small, so the writer starts while the planner works ahead
RAMP = (500, 1500)


@dataclass(slots=True)
class LeadBundle:
    """All input rows of one lead; parents first, references filled in on insert."""

    lead: dict[str, Any]
    account: dict[str, Any] | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    contract: dict[str, Any] | None = None
    unit: str = ""
    #: dated stage moves (from, to, naive UTC), oldest first
    moves: list[StageStep] = field(default_factory=list)
    #: decided approvals (``record_id`` still 0)
    approvals: list[DecidedApproval] = field(default_factory=list)


def _skills(rng: random.Random, reps: list[str]) -> dict[str, float]:
    """Rep skill ~ LogNormal(0, 0.25) clipped to [0.6, 1.6], scaling qualify and win odds.

    Rescaled to average 1: with only four reps, raw draws would swing the totals by ±10 %
    from one seed to the next.
    """
    raw = [clipped(lognormal(rng, 1.0, 0.25), 0.6, 1.6) for _ in reps]
    mean = sum(raw) / len(raw)
    return {rep: value / mean for rep, value in zip(reps, raw, strict=True)}


class Planner:
    """Simulates leads one after another from a single seeded ``random.Random``."""

    def __init__(self, rng: random.Random, user_ids: dict[str, int],
                 source_ids: dict[str, int], as_of: dt.datetime = AS_OF,
                 history: random.Random | None = None) -> None:
        self.rng = rng
        self.as_of = as_of
        self.user_ids = user_ids
        self.source_ids = source_ids
        self.reps = reps_by_unit()
        self.skill = _skills(rng, [rep for unit in sorted(self.reps) for rep in self.reps[unit]])
        self.prospects = Prospects()
        self.contract_numbers = ContractNumbers()
        #: the history stream (stage paths' extras, follow-up upkeep, approvals): separate,
        #: so the journeys drawn from ``rng`` stay what they were before history was added
        self.history = history or random.Random("history")
        self.approvals = Approvals(self.history, user_ids)

    def _unit(self) -> str:
        return UNIT_SHARE[0][0] if self.rng.random() < UNIT_SHARE[0][1] else UNIT_SHARE[1][0]

    def plan(self, arrival: Arrival) -> LeadBundle:
        """Every row that follows from ``arrival``."""
        rng = self.rng
        unit = self._unit()
        rep = rng.choice(self.reps[unit])
        owner = self.user_ids[rep]
        source = SOURCE_BY_CODE[arrival.source]
        prospect = self.prospects.new(rng, unit)
        firm = (prospect.company.industry, prospect.size, prospect.budget_wan)
        journey = plan_journey(rng, arrival.created, source, GRADE_MIX[source.code], firm,
                               self.skill[rep], self.as_of)
        if journey.invalid_reason == "duplicate":
            prospect = self.prospects.duplicate(rng)
        touches = plan_touches(rng, journey)
        followups = followup_rows(rng, journey, touches, owner, prospect.budget_wan)
        bundle = LeadBundle(lead_row(rng, arrival, prospect, journey,
                                     (self.source_ids[source.code], owner), followups),
                            followups=followups)
        bundle.tasks = task_rows(rng, followups, owner, prospect.company.name,
                                 is_open(journey), self.as_of)
        bundle.followups, bundle.tasks = kept_up(self.history, journey, followups,
                                                 bundle.tasks, owner, prospect.budget_wan,
                                                 prospect.company.name)
        bundle.lead.update(followup_stamps(arrival, journey, bundle.followups))
        if journey.assigned_at is None:
            journey.assigned_at = assigned(self.history, arrival.created)
            bundle.lead["assigned_at"] = to_utc(journey.assigned_at)
        if converted_on(journey) is not None:
            self._deal(bundle, prospect, journey, owner)
        bundle.lead.update(funnel_values(journey, prospect.budget_wan, bundle.contract, unit))
        bundle.unit = unit
        bundle.moves = _moves(journey, arrival, bundle, unit)
        bundle.approvals = self.approvals.plan(journey, bundle.lead, bundle.moves,
                                               (owner, rep), unit)
        return bundle

    def _deal(self, bundle: LeadBundle, prospect: Prospect, journey: Journey,
              owner: int) -> None:
        """The account and contacts of a converted lead, and the contract if it was won."""
        rng = self.rng
        won = bundle.lead["status"] == "won"
        amount, discount = deal_amount(rng, prospect.budget_wan) if won else (None, None)
        if discount:
            bundle.lead["discount_pct"] = discount
        bundle.account = account_row(rng, prospect, journey, owner, amount)
        bundle.contacts = contact_rows(rng, prospect, journey, owner)
        if amount is not None and journey.closed_at is not None:
            number = self.contract_numbers.next(journey.closed_at.year)
            bundle.contract = contract_row(rng, prospect, journey, owner, amount, number)

def _moves(journey: Journey, arrival: Arrival, bundle: LeadBundle, unit: str) -> list[StageStep]:
    """The lead's stage path in UTC; it ends where the lead row says the lead is."""
    contract = bundle.contract
    confirmed = contract.get("finance_confirmed_at") if contract else None
    local = confirmed + SHANGHAI_OFFSET if confirmed else None
    path = [(a, b, to_utc(moment))
            for a, b, moment in stage_path(journey, arrival.created, local, unit)]
    assert path[-1][1] == bundle.lead["stage"], (path, bundle.lead["stage"])
    return path


def plan_chunks(seed: int, leads: int, user_ids: dict[str, int], source_ids: dict[str, int],
                size: int, as_of: dt.datetime = AS_OF) -> Iterator[list[LeadBundle]]:
    """All bundles of a demo run, ``size`` leads at a time (the first few smaller: ``RAMP``),
    in creation order.

    The single entry point for one seed's data, so the generator and the benchmark draw
    the same random numbers in the same order.
    """
    rng = random.Random(seed)
    planner = Planner(rng, user_ids, source_ids, as_of, random.Random(f"history:{seed}"))
    planned = arrivals(rng, leads, as_of)
    start = 0
    for step in chain(RAMP, repeat(size)):
        if start >= len(planned):
            return
        end = start + min(step, size)
        yield [planner.plan(arrival) for arrival in planned[start:end]]
        start = end
