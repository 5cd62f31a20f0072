"""``LEADLOOM_CLOCK``: a process started on another time, running faster, shared by every
process given the same value; a value that is not a time says how to write one."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from leadloom.records.leads import clock


def test_unset_is_the_real_time(monkeypatch):
    monkeypatch.delenv(clock.CLOCK_ENV, raising=False)
    assert abs(clock.now() - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        seconds=5)


def test_start_speed_and_real_anchor(monkeypatch):
    real = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    monkeypatch.setenv(clock.CLOCK_ENV, f"2026-01-05T08:29:00+08:00,60,{real.isoformat()}")
    moment = clock.now()  # 10 real seconds after the anchor: 10 minutes later
    assert dt.datetime(2026, 1, 5, 0, 38, 59) < moment < dt.datetime(2026, 1, 5, 0, 40, 30)
    time.sleep(0.1)
    assert clock.now() - moment >= dt.timedelta(seconds=5)


def test_a_value_that_is_not_a_time_says_how_to_write_one(monkeypatch):
    monkeypatch.setenv(clock.CLOCK_ENV, "next monday")
    with pytest.raises(ValueError, match=r"START\[,SPEED\[,REAL\]\]"):
        clock.now()
