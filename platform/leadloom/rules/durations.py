"""Durations in config: ``48h``, ``7d``, ``3wd`` (working days)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from leadloom.rules.calendar import WorkCalendar
from leadloom.rules.errors import ExpressionError

_PATTERN = re.compile(r"^\s*(\d{1,5})\s*(h|d|wd)\s*$")
UNITS = {"h": "hours", "d": "days", "wd": "working days"}


@dataclass(frozen=True, slots=True)
class Duration:
    """``amount`` hours, days or working days."""

    amount: int
    unit: str

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def working(self) -> bool:
        return self.unit == "wd"

    def after(self, start: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
        """The deadline ``self`` after ``start`` (naive UTC in, naive UTC out).

        Working days end at the calendar's ``day_end`` of the N-th working day after the
        start's local date; hours and days are plain clock time.
        """
        if self.unit == "wd":
            return calendar.add_working_days(start, self.amount)
        return start + self.delta

    @property
    def delta(self) -> dt.timedelta:
        """The clock length; a working day counts as a day."""
        return dt.timedelta(hours=self.amount) if self.unit == "h" else dt.timedelta(
            days=self.amount)


def parse_duration(text: str | int) -> Duration:
    """``"48h"`` → 48 hours, ``"7d"`` → 7 days, ``"3wd"`` → 3 working days.

    :raises ExpressionError: not a duration.
    """
    match = _PATTERN.match(str(text))
    if not match:
        raise ExpressionError(f"'{text}' is not a duration: write 48h, 7d or 3wd "
                              "(working days)")
    return Duration(int(match.group(1)), match.group(2))
