"""Working days in China: public holidays and make-up working days (调休).

The ``chinesecalendar`` package knows the State Council's announced holidays; ``holidays``
and ``workdays`` in the config override it (a year announced after the package was
released, a company's own day off). Outside the package's years, Monday to Friday work.

Stored times are naive UTC; days are read in the calendar's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=8192)
def _announced_workday(day: dt.date) -> bool:
    """The package's answer for ``day`` (cached: it checks its input at length, and a
    recompute of many leads asks for the same few weeks again and again)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not cover yet
        return day.weekday() < 5


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days are working days, and when a working day ends.

    :param timezone: the zone days are read in.
    :param holidays: extra days off (override the package).
    :param workdays: extra working days, e.g. a 调休 Saturday (override the package).
    :param day_end: local time a "within N working days" deadline falls on.
    """

    timezone: str = "Asia/Shanghai"
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    day_end: dt.time = dt.time(18, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return _announced_workday(day)

    def local_date(self, moment: dt.datetime | dt.date) -> dt.date:
        """The local calendar date of a stored (naive UTC) time, or the date itself."""
        if not isinstance(moment, dt.datetime):
            return moment
        return self.local(moment).date()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A stored (naive UTC) time in the calendar's zone."""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return aware.astimezone(self.zone)

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A local wall-clock time as a stored (naive UTC) time."""
        aware = local if local.tzinfo else local.replace(tzinfo=self.zone)
        return aware.astimezone(dt.UTC).replace(tzinfo=None)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """``day`` at ``day_end`` local time, as a stored (naive UTC) time."""
        return self.to_utc(dt.datetime.combine(day, self.day_end))

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += DAY
        return day

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The end (``day_end``) of the ``days``-th working day after ``start``'s local date.

        ``add_working_days(Sun 2024-09-29 10:00, 3)`` → 2024-10-09 18:00: the National Day
        holiday (10-01 … 10-07) does not count.
        """
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += DAY
            if self.is_workday(day):
                counted += 1
        return self.end_of_day(day if days > 0 else self.next_workday(day))

    def working_days_between(self, start: dt.date | dt.datetime,
                             end: dt.date | dt.datetime) -> int:
        """Working days after ``start``'s date up to and including ``end``'s date
        (negative when ``end`` is earlier)."""
        first, last = self.local_date(start), self.local_date(end)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        count = 0
        day = first + DAY
        while day <= last:
            count += self.is_workday(day)
            day += DAY
        return sign * count


DEFAULT_CALENDAR = WorkCalendar()
