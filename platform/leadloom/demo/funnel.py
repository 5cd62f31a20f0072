"""What happens to one lead: qualification, the funnel stages and when each step happens.

The probabilities and durations are domain.md §3.6–§3.9; everything is Shanghai
wall-clock time and anything after the as-of moment (``Journey.as_of``) is simply still open.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from leadloom.demo.distributions import Weighted, chance, clipped, lognormal
from leadloom.demo.firmographics import INDUSTRY_MULTIPLIER, INVALID_REASONS, SourceProfile
from leadloom.demo.workdays import AS_OF, work_time

REACHED = {"A": 0.95, "B": 0.88, "C": 0.70}
QUALIFY = {"A": 0.60, "B": 0.28, "C": 0.06}
TO_NEGOTIATION = {"A": 0.65, "B": 0.55, "C": 0.45}
TO_WON = {"A": 0.60, "B": 0.48, "C": 0.38}
# assigned → first touch: (median hours, σ of the log)
FIRST_TOUCH = {"A": (5.0, 1.40), "B": (30.0, 1.08), "C": (96.0, 1.26)}
VISIT_UPLIFT = 1.15
VISIT_RATE = 0.5
# Bigger companies qualify more often (neutral on average), which gives won deals the
# recipe's size mix (median ≈ 12万, mean ≈ 27万).
SIZE_QUALIFY = {"1-49": 0.6, "50-199": 0.9, "200-499": 1.2, "500-999": 1.4,
                "1000-4999": 1.5, "5000+": 1.55}
# Calibration: with four demo reps and the as-of cut-off this brings the totals to the
# recipe's ~14 % of leads converted and ~4 % won (§3.12).
QUALIFY_SCALE = 1.18
#: ... and, as losses at each step close sooner than wins, the opportunities closed by as-of
#: would win 34 % instead of the recipe's 31 %: the win odds are scaled down by this much
WIN_SCALE = 0.90
LOSS_REASONS = {
    "discovery": Weighted([("unreachable", 30), ("need_changed", 25), ("budget", 25),
                           ("delayed", 15), ("other", 5)]),
    "solution": Weighted([("competitor", 35), ("budget", 25), ("price", 15), ("delayed", 15),
                          ("in_house", 5), ("other", 5)]),
    "negotiation": Weighted([("price", 30), ("competitor", 25), ("budget", 20),
                             ("delayed", 20), ("other", 5)]),
}


def days(value: float) -> dt.timedelta:
    return dt.timedelta(days=value)


@dataclass(slots=True)
class Journey:
    """Milestones of one lead; ``None`` = never happened. Times may lie after ``as_of``."""

    invalid_reason: str | None = None
    grade: str | None = None
    #: when a rep got the lead (its first-touch deadline runs from here)
    assigned_at: dt.datetime | None = None
    reached: bool = False
    first_touch: dt.datetime | None = None
    opportunity_at: dt.datetime | None = None
    solution_end: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    won: bool = False
    lost_stage: str | None = None
    visited: bool = False
    dormant: bool = False
    #: the end of the simulated period: what the data shows is the state at this moment
    as_of: dt.datetime = AS_OF

    def status(self) -> str:
        """The lead's status as seen at ``as_of``."""
        if self.invalid_reason:
            return "invalid" if self.closed_at and self.closed_at <= self.as_of else "assigned"
        if self.closed_at and self.closed_at <= self.as_of:
            return "won" if self.won else "nurturing" if self.dormant else "lost"
        if self.opportunity_at and self.opportunity_at <= self.as_of:
            return "converted"
        if self.first_touch and self.first_touch <= self.as_of:
            return "contacting"
        return "assigned"

    def loss_reason(self, rng: random.Random) -> str | None:
        if self.status() != "lost" or self.lost_stage is None:
            return None
        return LOSS_REASONS[self.lost_stage].pick(rng)


def assigned(rng: random.Random, created: dt.datetime) -> dt.datetime:
    """When a rep got the lead: a median of 2 hours after it came in."""
    return (created + dt.timedelta(hours=lognormal(rng, 2.0, 0.8))).replace(microsecond=0)


def _first_touch(rng: random.Random, assigned: dt.datetime, grade: str) -> dt.datetime:
    median, sigma = FIRST_TOUCH[grade]
    return work_time(rng, assigned + dt.timedelta(hours=lognormal(rng, median, sigma)))


def _invalid(rng: random.Random, created: dt.datetime, as_of: dt.datetime) -> Journey:
    """Disqualified a median of 2 days after creation."""
    closed = work_time(rng, created + days(lognormal(rng, 2.0, 0.8)))
    return Journey(invalid_reason=INVALID_REASONS.pick(rng), closed_at=closed,
                   first_touch=closed if chance(rng, 0.6) else None, reached=True,
                   as_of=as_of)


def plan_journey(rng: random.Random, created: dt.datetime, source: SourceProfile,
                 grade_mix: Weighted[str], firm: tuple[str, str, float],
                 skill: float, as_of: dt.datetime = AS_OF) -> Journey:
    """Simulate one lead from arrival to its end (which may lie beyond ``as_of``).

    :param firm: the company's true (industry, size, budget in 万元).
    """
    industry, size, budget_wan = firm
    if chance(rng, source.invalid_rate):
        return _invalid(rng, created, as_of)
    grade = grade_mix.pick(rng)
    given = assigned(rng, created)
    journey = Journey(grade=grade, first_touch=_first_touch(rng, given, grade),
                      as_of=as_of, assigned_at=given)
    journey.reached = chance(rng, REACHED[grade])
    slow = 1.5 if industry == "government" else 1.0
    qualify = (QUALIFY[grade] * source.qualify * INDUSTRY_MULTIPLIER[industry] * skill
               * SIZE_QUALIFY[size] * QUALIFY_SCALE)
    if journey.reached and chance(rng, min(0.95, qualify)):
        _opportunity(rng, journey, skill, slow, budget_wan)
    else:
        _nurture(rng, journey)
    return journey


def _nurture(rng: random.Random, journey: Journey) -> None:
    """No opportunity: C leads go dormant in the pool, others are eventually lost."""
    assert journey.first_touch is not None and journey.grade is not None
    journey.closed_at = work_time(rng, journey.first_touch + days(lognormal(rng, 45, 1.0)))
    journey.lost_stage = "discovery"
    journey.dormant = chance(rng, 0.6 if journey.grade == "C" else 0.25)


def _opportunity(rng: random.Random, journey: Journey, skill: float, slow: float,
                 budget_wan: float) -> None:
    """DISCOVERY → SOLUTION → NEGOTIATION → WON, with losses at each step."""
    assert journey.first_touch is not None and journey.grade is not None
    grade = journey.grade
    opp = work_time(rng, journey.first_touch + days(slow * lognormal(rng, 14, 0.9)))
    journey.opportunity_at = opp
    journey.visited = chance(rng, VISIT_RATE)
    uplift = VISIT_UPLIFT if journey.visited else 1.0
    journey.solution_end = work_time(rng, opp + days(slow * lognormal(rng, 18, 0.8)))
    if not chance(rng, TO_NEGOTIATION[grade] * uplift):
        journey.closed_at, journey.lost_stage = journey.solution_end, "solution"
        return
    size_factor = clipped(budget_wan / 12.0, 0.1, 50.0) ** 0.3
    negotiated = journey.solution_end + days(slow * lognormal(rng, 20 * size_factor, 0.85))
    win = clipped(TO_WON[grade] * uplift * skill * WIN_SCALE, 0.0, 0.95)
    if chance(rng, win):
        journey.won = True
        journey.closed_at = work_time(rng, negotiated + days(lognormal(rng, 5, 0.6)))
    else:
        journey.closed_at, journey.lost_stage = work_time(rng, negotiated), "negotiation"


#: stages a unit's own funnel lacks → the stage its records are in instead
#: (``config/funnels/west.yaml`` has no separate negotiation stage)
UNIT_STAGES = {"west": {"negotiation": "solution"}}


def funnel_values(journey: Journey, budget_wan: float, contract: dict[str, object] | None,
                  unit: str) -> dict[str, object]:
    """The lead's funnel stage at ``as_of`` (``config/funnels/*.yaml``), its expected amount
    and close date — and, as the platform counts it, a deal whose contract finance has not
    confirmed yet is signed (成交签约), not won. Draws no random numbers."""
    status = journey.status()
    confirmed = contract is not None and contract["finance_status"] == "confirmed"
    stage = _stage(journey, status, confirmed)
    row: dict[str, object] = {"stage": UNIT_STAGES.get(unit, {}).get(stage, stage)}
    if status == "won" and not confirmed:
        row["status"] = "converted"
    if row["stage"] in ("solution", "negotiation", "signing", "after_sales") or (
            row["stage"] == "lost" and journey.lost_stage in ("solution", "negotiation")):
        amount = contract["amount"] if contract else Decimal(f"{round(budget_wan, 1) * 10_000:.2f}")
        row["expected_amount"] = amount
        close = journey.closed_at or (journey.solution_end or journey.as_of) + days(30)
        row["expected_close_date"] = close.date()
    return row


def _stage(journey: Journey, status: str, confirmed: bool) -> str:
    if status == "won":
        return "after_sales" if confirmed else "signing"
    if status == "lost":
        return "lost"
    if status == "converted":
        return stage_at(journey, journey.as_of)
    if status in ("contacting", "nurturing"):
        return "discovery"
    return "capture"


def stage_at(journey: Journey, moment: dt.datetime) -> str:
    """The funnel stage a lead was in at ``moment`` (for follow-up method mixes)."""
    if journey.opportunity_at is None or moment < journey.opportunity_at:
        return "discovery"
    if journey.solution_end is None or moment < journey.solution_end:
        return "solution"
    if journey.won and journey.closed_at is not None and moment >= journey.closed_at:
        return "after_sales"
    return "negotiation"


StageStep = tuple[str | None, str, dt.datetime]


def stage_path(journey: Journey, created: dt.datetime, confirmed: dt.datetime | None,
               unit: str) -> list[StageStep]:
    """The lead's dated stage moves up to ``as_of`` (Shanghai time), ending in the stage
    ``funnel_values`` gives it; ``confirmed``: when finance confirmed its contract."""
    steps: list[tuple[str, dt.datetime | None]] = [("capture", created)]
    if not journey.invalid_reason:
        steps.append(("discovery", journey.first_touch))
        steps.append(("solution", journey.opportunity_at))
        if journey.lost_stage != "solution" and journey.opportunity_at is not None:
            steps.append(("negotiation", journey.solution_end))
        if journey.won:
            steps += [("signing", journey.closed_at), ("after_sales", confirmed)]
        elif journey.lost_stage is not None and not journey.dormant:
            steps.append(("lost", journey.closed_at))
    renamed = UNIT_STAGES.get(unit, {})
    path: list[StageStep] = []
    for stage, moment in steps:
        if moment is None:
            continue
        if moment > journey.as_of:
            break
        stage = renamed.get(stage, stage)
        before = path[-1][1] if path else None
        if stage != before:
            path.append((before, stage, moment))
    return path
