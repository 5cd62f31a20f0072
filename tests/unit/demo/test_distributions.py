"""Seeded draws: weighted choices follow their weights; allocation is exact."""

from __future__ import annotations

import random
import statistics

import pytest

from leadloom.demo.distributions import Weighted, count_around, lognormal
from leadloom.demo.workdays import allocate, is_workday


def test_weighted_pick_follows_the_weights():
    table = Weighted([("a", 70), ("b", 20), ("c", 10)])
    rng = random.Random(1)
    drawn = [table.pick(rng) for _ in range(20000)]
    assert drawn.count("a") / len(drawn) == pytest.approx(0.7, abs=0.02)
    assert drawn.count("c") / len(drawn) == pytest.approx(0.1, abs=0.01)
    assert table.share("b") == pytest.approx(0.2)


def test_weighted_rejects_bad_tables():
    with pytest.raises(ValueError):
        Weighted([])
    with pytest.raises(ValueError):
        Weighted([("a", 0)])


def test_lognormal_median_is_the_stated_median():
    rng = random.Random(2)
    values = [lognormal(rng, 12.0, 0.6) for _ in range(20000)]
    assert statistics.median(values) == pytest.approx(12.0, rel=0.05)


def test_count_around_keeps_the_mean():
    rng = random.Random(3)
    counts = [count_around(rng, 4.5) for _ in range(20000)]
    assert statistics.mean(counts) == pytest.approx(4.5, rel=0.03)
    assert min(counts) >= 0


@pytest.mark.parametrize("total", [0, 1, 7, 1000, 99991])
def test_allocate_is_exact(total):
    parts = allocate(total, [0.5, 1.0, 2.5, 0.1])
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


def test_holidays_and_makeup_workdays():
    import datetime as dt

    assert not is_workday(dt.date(2025, 1, 29))  # 春节
    assert is_workday(dt.date(2025, 1, 26))  # 调休 Sunday
    assert not is_workday(dt.date(2024, 6, 8))  # plain Saturday
