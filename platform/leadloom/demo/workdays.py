"""The demo's working calendar: China's 2024–2025 statutory holidays, 调休 and office hours.

Outside 2024–2025 (an ``--as-of`` elsewhere) only weekends are rest days.

Vendored (not ``chinesecalendar``) so the data never changes with a library upgrade.
All times here are naive Asia/Shanghai wall-clock times; the generator converts to UTC.
"""

from __future__ import annotations

import datetime as dt
import random

#: the default end of the simulated period (``--as-of``); the period is the 24 months before
AS_OF = dt.datetime(2025, 12, 31, 23, 59)
SHANGHAI_OFFSET = dt.timedelta(hours=8)


def _span(first: str, last: str) -> tuple[dt.date, ...]:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return tuple(a + dt.timedelta(days=i) for i in range((b - a).days + 1))


HOLIDAYS = frozenset(
    _span("2024-01-01", "2024-01-01") + _span("2024-02-10", "2024-02-17")
    + _span("2024-04-04", "2024-04-06") + _span("2024-05-01", "2024-05-05")
    + _span("2024-06-10", "2024-06-10") + _span("2024-09-15", "2024-09-17")
    + _span("2024-10-01", "2024-10-07") + _span("2025-01-01", "2025-01-01")
    + _span("2025-01-28", "2025-02-04") + _span("2025-04-04", "2025-04-06")
    + _span("2025-05-01", "2025-05-05") + _span("2025-05-31", "2025-06-02")
    + _span("2025-10-01", "2025-10-08"))
MAKEUP_WORKDAYS = frozenset(dt.date.fromisoformat(d) for d in (
    "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
    "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
    "2025-10-11"))

MONTH_FACTOR = (0.90, 0.55, 1.15, 1.05, 0.95, 1.00, 0.90, 0.90, 1.15, 0.80, 1.10, 1.05)
WEEKDAY_FACTOR = (1.15, 1.10, 1.05, 1.00, 0.95, 0.35, 0.25)
YEARLY_GROWTH = 1.15


def is_workday(day: dt.date) -> bool:
    """A 调休 Saturday is a workday; a holiday Monday is not."""
    if day in MAKEUP_WORKDAYS:
        return True
    return day not in HOLIDAYS and day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """``day`` itself if it is a workday, else the next one."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(day: dt.date, count: int) -> dt.date:
    """The workday ``count`` workdays after ``day``."""
    for _ in range(count):
        day = next_workday(day + dt.timedelta(days=1))
    return day


def as_of_now(utc_now: dt.datetime) -> dt.datetime:
    """``utc_now`` (naive UTC) as the minute it is in Shanghai: the as-of of ``leadloom demo``,
    whose data ends at the moment it is made, so a first look finds today's follow-ups and
    tasks, and the schedules that start with it act on live work, not on a year-old
    backlog."""
    return (utc_now + SHANGHAI_OFFSET).replace(second=0, microsecond=0)


def parse_as_of(text: str) -> dt.datetime:
    """``--as-of``: a date (the period ends at 23:59 that day) or a date and time."""
    moment = dt.datetime.fromisoformat(text)
    if len(text.strip()) <= 10:
        moment = moment.replace(hour=AS_OF.hour, minute=AS_OF.minute)
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def horizon_start(as_of: dt.datetime) -> dt.date:
    """The first day of the 24 months that end on ``as_of``'s day."""
    end = as_of.date()
    day = 28 if (end.month, end.day) == (2, 29) else end.day
    return end.replace(year=end.year - 2, day=day) + dt.timedelta(days=1)


def horizon_days(as_of: dt.datetime = AS_OF) -> list[dt.date]:
    """Every calendar day on which leads may arrive, in order."""
    start, end = horizon_start(as_of), as_of.date()
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def arrival_weight(day: dt.date, start: dt.date) -> float:
    """Relative lead volume of ``day``: growth since ``start`` × month × weekday (× 0.2 on
    holidays)."""
    weight = YEARLY_GROWTH ** ((day - start).days / 365.0) * MONTH_FACTOR[day.month - 1]
    if day in HOLIDAYS:
        return weight * WEEKDAY_FACTOR[day.weekday()] * 0.2
    if day in MAKEUP_WORKDAYS:
        return weight * WEEKDAY_FACTOR[3]
    return weight * WEEKDAY_FACTOR[day.weekday()]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    Deterministic and exact, so ``--leads N`` gives exactly N leads.
    """
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def at(day: dt.date, hours: float) -> dt.datetime:
    """``day`` at ``hours`` past midnight, to the second."""
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=int(hours * 3600))


def office_hour(rng: random.Random) -> float:
    """An hour of the working day: 09:00–18:30 with a dip over lunch."""
    while True:
        hour = 9.0 + 9.5 * rng.random()
        if not 12.0 <= hour < 13.5 or rng.random() < 0.3:
            return hour


def work_time(rng: random.Random, moment: dt.datetime) -> dt.datetime:
    """The first plausible working moment at or after ``moment``.

    92 % land in office hours on a workday, 5 % on a weekday evening (WeChat), and 3 %
    happen whenever they happen, weekends included.
    """
    roll = rng.random()
    if roll < 0.03:
        return moment
    hour = 19.0 + 3.0 * rng.random() if roll < 0.08 else office_hour(rng)
    day = next_workday(moment.date())
    if at(day, hour) < moment:
        day = next_workday(day + dt.timedelta(days=1))
    return at(day, hour)


def to_utc(local: dt.datetime) -> dt.datetime:
    """Shanghai wall-clock → naive UTC to the second (China has no daylight saving time)."""
    return (local - SHANGHAI_OFFSET).replace(microsecond=0)
