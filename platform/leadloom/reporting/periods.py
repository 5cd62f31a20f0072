"""Report periods: the last full ISO week or calendar month before a run, or its day.

Boundaries are local dates in the report's time zone; queries compare naive UTC times
(what every DateTime column holds) against ``utc_bounds``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from leadloom.reporting.errors import BadPeriod

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in local dates; ``label`` is the archive key (``2025-W52``)."""

    kind: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def utc_bounds(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """Naive UTC datetimes of local midnight at ``start`` and ``end``."""
        return naive_utc(self.start, zone), naive_utc(self.end, zone)

    def title(self, locale: str) -> str:
        """How the period reads in a report header."""
        first, last = self.start, self.last_day
        if self.kind == "week":
            year, week, _ = first.isocalendar()
            if locale == "en":
                return f"Week {week}, {year} ({first:%b %d} – {last:%b %d})"
            return f"{year}年第{week}周（{first:%m-%d} 至 {last:%m-%d}）"
        if self.kind == "month":
            return f"{first:%B %Y}" if locale == "en" else f"{first.year}年{first.month}月"
        if locale == "en":
            return f"{first:%d %b %Y}"
        return f"{first.year}年{first.month}月{first.day}日"


def naive_utc(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def period_for(kind: str, at: dt.datetime, zone: ZoneInfo) -> Period:
    """The period a run at ``at`` reports on: the previous week or month, or that day."""
    today = at.astimezone(zone).date()
    if kind == "week":
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return week_period(monday)
    if kind == "month":
        first = today.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return month_period(previous.year, previous.month)
    return day_period(today)


def week_period(monday: dt.date) -> Period:
    year, week, _ = monday.isocalendar()
    return Period("week", monday, monday + dt.timedelta(days=7), f"{year}-W{week:02d}")


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period("month", start, end, f"{year}-{month:02d}")


def day_period(day: dt.date) -> Period:
    return Period("day", day, day + dt.timedelta(days=1), day.isoformat())


def parse_period(text: str) -> Period:
    """``2025-W52`` (ISO week), ``2025-12`` (month) or ``2025-12-31`` (day).

    :raises BadPeriod: anything else, or a date that does not exist.
    """
    text = text.strip()
    try:
        if m := _WEEK.match(text):
            return week_period(dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _MONTH.match(text):
            return month_period(int(m[1]), int(m[2]))
        if _DAY.match(text):
            return day_period(dt.date.fromisoformat(text))
    except ValueError:
        pass
    raise BadPeriod(text)
