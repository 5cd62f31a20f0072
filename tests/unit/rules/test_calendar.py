"""The China working-day calendar, with the config's overrides, and durations."""

from __future__ import annotations

import datetime as dt

import pytest

from leadloom.rules import DEFAULT_CALENDAR, ExpressionError, WorkCalendar, parse_duration


def utc(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local) - dt.timedelta(hours=8)


@pytest.mark.parametrize(("day", "works"), [
    ("2024-09-29", True),   # Sunday, make-up working day for National Day
    ("2024-10-01", False), ("2024-10-07", False),
    ("2024-10-08", True), ("2024-10-12", True),  # Saturday, make-up working day
    ("2024-10-13", False), ("2024-02-10", False),  # Spring Festival
])
def test_holidays_and_make_up_days(day, works):
    assert DEFAULT_CALENDAR.is_workday(dt.date.fromisoformat(day)) is works


def test_deadlines_end_at_the_end_of_the_nth_working_day():
    calendar = DEFAULT_CALENDAR
    assert calendar.add_working_days(utc("2024-09-29 10:00"), 3) == utc("2024-10-09 18:00")
    assert calendar.add_working_days(utc("2024-09-30 23:30"), 1) == utc("2024-10-08 18:00")
    assert calendar.working_days_between(dt.date(2024, 9, 27), dt.date(2024, 10, 9)) == 4
    assert calendar.working_days_between(dt.date(2024, 10, 9), dt.date(2024, 9, 27)) == -4


def test_the_configs_lists_override_the_package():
    calendar = WorkCalendar(holidays=frozenset({dt.date(2024, 10, 8)}),
                            workdays=frozenset({dt.date(2024, 10, 5)}),
                            day_end=dt.time(17, 30))
    assert calendar.is_workday(dt.date(2024, 10, 5)) and not calendar.is_workday(
        dt.date(2024, 10, 8))
    assert calendar.add_working_days(utc("2024-10-04 10:00"), 2) == utc("2024-10-09 17:30")


def test_years_the_package_does_not_know_fall_back_to_weekdays():
    assert DEFAULT_CALENDAR.is_workday(dt.date(2099, 1, 5))  # a Monday
    assert not DEFAULT_CALENDAR.is_workday(dt.date(2099, 1, 4))


@pytest.mark.parametrize(("text", "after"), [
    ("48h", "2024-03-17 10:00"), ("7d", "2024-03-22 10:00"), ("3wd", "2024-03-20 18:00"),
])
def test_durations(text, after):
    assert parse_duration(text).after(utc("2024-03-15 10:00"), DEFAULT_CALENDAR) == utc(after)


@pytest.mark.parametrize("text", ["48", "2w", "-1d", "d"])
def test_bad_durations(text):
    with pytest.raises(ExpressionError):
        parse_duration(text)
