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
    AS_OF,
    add_workdays,
    allocate,
    arrival_weight,
    at,
    horizon_days,
    horizon_start,
    office_hour,
)

# Four shows a year (Mar, May, Sep, Nov), each on the first Wednesday on or after these days.
SHOW_DAYS = ((3, 16), (5, 16), (9, 16), (11, 8))
#: a show whose imports could still be running at the end of the period is left out
SHOW_SETTLED = dt.timedelta(days=21)
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


def trade_shows(as_of: dt.datetime) -> list[dt.date]:
    """The shows of the period ending at ``as_of`` whose imports are all in, in order."""
    start = horizon_start(as_of)
    shows = []
    for year in range(start.year, as_of.year + 1):
        for month, day in SHOW_DAYS:
            first = dt.date(year, month, day)
            show = first + dt.timedelta(days=(2 - first.weekday()) % 7)
            if start <= show and show + SHOW_SETTLED <= as_of.date():
                shows.append(show)
    return shows


def _daily(rng: random.Random, total: int,
           as_of: dt.datetime) -> list[tuple[dt.datetime, str]]:
    days = horizon_days(as_of)
    weights = [arrival_weight(d, days[0]) for d in days]
    result = []
    for day, count in zip(days, allocate(total, weights), strict=True):
        for _ in range(count):
            source = DAILY_SOURCES.pick(rng)
            result.append((at(day, _hour(rng, source)), source))
    return result


def _trade_shows(rng: random.Random, total: int,
                 as_of: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """Batch imports 1–5 workdays after each show, at most ~800 leads per import day."""
    shows = trade_shows(as_of)
    sizes = [800 + 700 * rng.random() for _ in shows]
    result = []
    for show, count in zip(shows, allocate(total, sizes), strict=True):
        first = add_workdays(show, rng.randrange(1, 3))
        spread = max(rng.randrange(1, 4), math.ceil(count / MAX_IMPORT_PER_DAY))
        import_days = [add_workdays(first, i) for i in range(spread)]
        for day, part in zip(import_days, allocate(count, [1.0] * spread), strict=True):
            result.extend((at(day, 10.0 + 7.0 * rng.random()), "EXPO") for _ in range(part))
    return result


def arrivals(rng: random.Random, total: int, as_of: dt.datetime = AS_OF) -> list[Arrival]:
    """``total`` lead arrivals over the 24 months up to ``as_of``, in creation order,
    numbered ``SOURCE-YYYYMMDD-NNN``."""
    expo = round(total * EXPO_SHARE)
    raw = [(min(created, as_of), source) for created, source
           in _daily(rng, total - expo, as_of) + _trade_shows(rng, expo, as_of)]
    raw.sort()
    seq: Counter[tuple[str, dt.date]] = Counter()
    result = []
    for created, source in raw:
        key = (source, created.date())
        seq[key] += 1
        result.append(Arrival(created, source,
                              f"{source}-{created:%Y%m%d}-{seq[key]:03d}"))
    return result
