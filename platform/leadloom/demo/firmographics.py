"""The recipe's market tables (domain.md §3.3–§3.4): sources, industries, company sizes.

Codes are the option codes of ``config/options.yaml`` and the seed codes of ``source``;
shares and multipliers are the analyst's calibrated figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from leadloom.demo.distributions import Weighted, chance, lognormal


@dataclass(frozen=True, slots=True)
class SourceProfile:
    """How leads of one intake channel behave."""

    code: str
    share: float
    invalid_rate: float
    grades: tuple[float, float, float]
    qualify: float
    win: float


SOURCES = (
    SourceProfile("WEB", 22, 0.20, (12, 35, 53), 1.00, 0.30),
    SourceProfile("EXPO", 15, 0.15, (7, 30, 63), 0.70, 0.28),
    SourceProfile("SEM", 14, 0.30, (10, 32, 58), 0.95, 0.30),
    SourceProfile("SOCIAL", 10, 0.35, (6, 26, 68), 0.85, 0.28),
    SourceProfile("TELE", 10, 0.30, (5, 25, 70), 0.75, 0.27),
    SourceProfile("PARTNER", 7, 0.10, (18, 42, 40), 1.15, 0.32),
    SourceProfile("REF", 6, 0.05, (22, 45, 33), 1.25, 0.32),
    SourceProfile("WEBINAR", 6, 0.15, (10, 36, 54), 1.00, 0.29),
    SourceProfile("EDM", 4, 0.25, (6, 28, 66), 0.85, 0.28),
    SourceProfile("COLD", 3, 0.20, (6, 30, 64), 0.90, 0.28),
    SourceProfile("UPSELL", 3, 0.02, (40, 40, 20), 1.60, 0.40),
)
SOURCE_BY_CODE = {s.code: s for s in SOURCES}
EXPO_SHARE = SOURCE_BY_CODE["EXPO"].share / 100
# EXPO leads arrive in batches after trade shows; every other source arrives day by day.
DAILY_SOURCES = Weighted([(s.code, s.share) for s in SOURCES if s.code != "EXPO"])
GRADE_MIX = {s.code: Weighted(list(zip("ABC", s.grades, strict=True))) for s in SOURCES}

INVALID_REASONS = Weighted([("bad_contact", 40), ("unrelated", 25), ("duplicate", 15),
                            ("competitor", 8), ("spam", 7), ("other", 5)])

# industry code → (lead share, conversion multiplier)
INDUSTRIES = (
    ("manufacturing", 28, 1.10), ("it_software", 12, 1.05), ("trade", 10, 0.95),
    ("construction", 7, 0.85), ("healthcare", 7, 1.05), ("services", 7, 1.00),
    ("education", 6, 0.60), ("logistics", 6, 1.00), ("finance", 5, 0.90),
    ("consumer", 5, 0.95), ("energy", 4, 1.00), ("government", 3, 0.70),
)
INDUSTRY_MULTIPLIER = {code: mult for code, _, mult in INDUSTRIES}
_INDUSTRY_BY_UNIT = {
    "east": Weighted([(c, s + (3 if c == "it_software" else 0)) for c, s, _ in INDUSTRIES]),
    "west": Weighted([(c, s) for c, s, _ in INDUSTRIES]),
}
UNKNOWN_INDUSTRY_RATE = 0.08

# employee range code → (lead share, median budget in 万元, σ of the log)
SIZES = (
    ("1-49", 30, 3.5, 0.60), ("50-199", 30, 8.0, 0.60), ("200-499", 18, 18.0, 0.60),
    ("500-999", 11, 35.0, 0.60), ("1000-4999", 8, 70.0, 0.65), ("5000+", 3, 150.0, 0.70),
)
SIZE_MIX = Weighted([(code, share) for code, share, _, _ in SIZES])
_BUDGET = {code: (median, sigma) for code, _, median, sigma in SIZES}
TYPICAL_HEADCOUNT = {"1-49": 20, "50-199": 110, "200-499": 320, "500-999": 700,
                     "1000-4999": 2000, "5000+": 8000}
UNKNOWN_SIZE_RATE = 0.15
SMALL_SIZES = ("1-49", "50-199")

# stated budget buckets in 元: (lower, upper); None = open end
BUDGET_BUCKETS = ((None, 50_000), (50_000, 100_000), (100_000, 200_000),
                  (200_000, 500_000), (500_000, 1_000_000), (1_000_000, None))
STATED_BUDGET_RATE = 0.65


def industry_for(rng: random.Random, unit: str) -> str:
    """The true industry of a new company (the unit skews the mix)."""
    return _INDUSTRY_BY_UNIT[unit].pick(rng)


def true_budget_wan(rng: random.Random, size: str) -> float:
    """What the customer could really spend, in 万元 (lognormal per company size)."""
    median, sigma = _BUDGET[size]
    return lognormal(rng, median, sigma)


def budget_bucket(budget_yuan: float) -> tuple[int | None, int | None]:
    """The stated bucket (``<5万`` … ``100万以上``) a budget falls into."""
    for low, high in BUDGET_BUCKETS:
        if high is None or budget_yuan < high:
            return low, high
    raise AssertionError("unreachable: the last bucket is open-ended")


def annual_revenue_yuan(rng: random.Random, size: str) -> float:
    """Revenue correlates with headcount: ~LogNormal(ln(80万 × employees), 0.6)."""
    return lognormal(rng, 800_000 * TYPICAL_HEADCOUNT[size], 0.6)


def products_for(rng: random.Random, size: str) -> list[str]:
    """Product mix of a won deal; small firms subscribe, larger ones buy licences."""
    if size in SMALL_SIZES:
        chosen = ["subscription"] if chance(rng, 0.8) else ["custom_dev"]
        if chance(rng, 0.3):
            chosen.append("training")
        return chosen
    chosen = [code for code, p in (("license", 0.45), ("custom_dev", 0.35),
                                   ("training", 0.60), ("support", 0.40)) if chance(rng, p)]
    return chosen or ["license"]
