"""When leads arrive and through which channel, and the lead numbers that follow from it.

Trade-show (EXPO) leads come in batch imports after the shows; every other source arrives
day by day with month, weekday and holiday seasonality (domain.md §3.2).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass

from leadloom.demo.firmographics import DAILY_SOURCES, EXPO_SHARE
from leadloom.demo.workdays import (
    add_workdays,
    allocate,
    arrival_weight,
    at,
    horizon_days,
    office_hour,
)

# Four shows a year (Mar, May, Sep, Nov), each on a Wednesday.
TRADE_SHOWS = tuple(dt.date.fromisoformat(d) for d in (
    "2024-03-20", "2024-05-22", "2024-09-18", "2024-11-13",
    "2025-03-19", "2025-05-21", "2025-09-17", "2025-11-12"))
MAX_IMPORT_PER_DAY = 800
_ONLINE = frozenset({"WEB", "SEM", "SOCIAL"})


@dataclass(frozen=True, slots=True)
class Arrival:
    """One lead's creation: Shanghai wall-clock time, source code and lead number."""

    created: dt.datetime
    source: str
    lead_no: str


def _hour(rng: random.Random, source: str) -> float:
    """Online forms peak at 10:00 and 15:00 (12 % after 19:00); the rest is office time."""
    if source in _ONLINE:
        if rng.random() < 0.12:
            return 19.0 + 4.5 * rng.random()
        peak = 10.0 if rng.random() < 0.5 else 15.0
        return min(18.99, max(7.0, rng.normalvariate(peak, 1.4)))
    if source in ("WEBINAR", "EDM"):
        return 10.0 + 7.0 * rng.random()
    return office_hour(rng)


def _daily(rng: random.Random, total: int) -> list[tuple[dt.datetime, str]]:
    days = horizon_days()
    result = []
    for day, count in zip(days, allocate(total, [arrival_weight(d) for d in days]),
                          strict=True):
        for _ in range(count):
            source = DAILY_SOURCES.pick(rng)
            result.append((at(day, _hour(rng, source)), source))
    return result


def _trade_shows(rng: random.Random, total: int) -> list[tuple[dt.datetime, str]]:
    """Batch imports 1–5 workdays after each show, at most ~800 leads per import day."""
    sizes = [800 + 700 * rng.random() for _ in TRADE_SHOWS]
    result = []
    for show, count in zip(TRADE_SHOWS, allocate(total, sizes), strict=True):
        first = add_workdays(show, rng.randrange(1, 3))
        spread = max(rng.randrange(1, 4), math.ceil(count / MAX_IMPORT_PER_DAY))
        import_days = [add_workdays(first, i) for i in range(spread)]
        for day, part in zip(import_days, allocate(count, [1.0] * spread), strict=True):
            result.extend((at(day, 10.0 + 7.0 * rng.random()), "EXPO") for _ in range(part))
    return result


def arrivals(rng: random.Random, total: int) -> list[Arrival]:
    """``total`` lead arrivals in creation order, numbered ``SOURCE-YYYYMMDD-NNN``."""
    expo = round(total * EXPO_SHARE)
    raw = _daily(rng, total - expo) + _trade_shows(rng, expo)
    raw.sort()
    seq: Counter[tuple[str, dt.date]] = Counter()
    result = []
    for created, source in raw:
        key = (source, created.date())
        seq[key] += 1
        result.append(Arrival(created, source,
                              f"{source}-{created:%Y%m%d}-{seq[key]:03d}"))
    return result
