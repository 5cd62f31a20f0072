"""Report periods: the last full ISO week or month before a run, read in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from leadloom.reporting.errors import BadPeriod
from leadloom.reporting.periods import parse_period, period_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_monday_morning_in_shanghai_reports_on_the_previous_week() -> None:
    # Monday 2026-01-05 09:00 in Shanghai is still Monday 01:00 UTC
    at = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
    period = period_for("week", at, SHANGHAI)
    assert (period.label, period.start, period.end) == (
        "2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 5))


def test_week_boundary_follows_the_local_date_not_utc() -> None:
    # Sunday 23:30 UTC is already Monday 07:30 in Shanghai: the week just ended is reported
    at = dt.datetime(2026, 1, 4, 23, 30, tzinfo=dt.UTC)
    assert period_for("week", at, SHANGHAI).label == "2026-W01"
    assert period_for("week", at, ZoneInfo("UTC")).label == "2025-W52"


def test_month_and_day() -> None:
    at = dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.UTC)
    month = period_for("month", at, SHANGHAI)
    assert (month.label, month.start, month.end) == ("2025-12", dt.date(2025, 12, 1),
                                                      dt.date(2026, 1, 1))
    assert period_for("day", at, SHANGHAI).label == "2026-01-01"


def test_utc_bounds_are_local_midnights() -> None:
    start, end = parse_period("2025-12").utc_bounds(SHANGHAI)
    assert start == dt.datetime(2025, 11, 30, 16, 0) and end == dt.datetime(2025, 12, 31, 16, 0)


@pytest.mark.parametrize(("text", "label", "days"), [
    ("2025-W52", "2025-W52", 7), ("2025-W01", "2025-W01", 7), ("2024-02", "2024-02", 29),
    ("2025-12-31", "2025-12-31", 1)])
def test_parse(text: str, label: str, days: int) -> None:
    period = parse_period(text)
    assert period.label == label and (period.end - period.start).days == days


@pytest.mark.parametrize("text", ["2025-W54", "2025-13", "2025-02-30", "last week", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text)


def test_titles() -> None:
    week = parse_period("2025-W52")
    assert week.title("zh") == "2025年第52周（12-22 至 12-28）"
    assert week.title("en") == "Week 52, 2025 (Dec 22 – Dec 28)"
    assert parse_period("2025-12").title("zh") == "2025年12月"
