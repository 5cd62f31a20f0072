"""Lead arrivals: exact volume, inside the horizon, numbered SOURCE-YYYYMMDD-NNN."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

from leadloom.demo.arrivals import arrivals
from leadloom.demo.firmographics import SOURCES

LEAD_NO = re.compile(r"^([A-Z]+)-(\d{8})-(\d{3})$")


def test_exact_count_in_order_within_the_horizon():
    made = arrivals(random.Random(1), 5000)
    assert len(made) == 5000
    assert [a.created for a in made] == sorted(a.created for a in made)
    assert made[0].created >= dt.datetime(2024, 1, 1)
    assert made[-1].created < dt.datetime(2026, 1, 1)


def test_lead_numbers_are_unique_and_follow_source_and_day():
    made = arrivals(random.Random(2), 5000)
    assert len({a.lead_no for a in made}) == len(made)
    for a in made:
        match = LEAD_NO.match(a.lead_no)
        assert match, a.lead_no
        assert match[1] == a.source
        assert match[2] == f"{a.created:%Y%m%d}"


def test_source_mix_follows_the_recipe():
    made = arrivals(random.Random(3), 20000)
    counts = Counter(a.source for a in made)
    for source in SOURCES:
        assert abs(counts[source.code] / len(made) - source.share / 100) < 0.015, source.code


def test_trade_show_leads_come_in_batches():
    made = arrivals(random.Random(4), 20000)
    expo_days = Counter(a.created.date() for a in made if a.source == "EXPO")
    assert len(expo_days) <= 8 * 10
    assert max(expo_days.values()) > 100


def test_same_seed_same_arrivals():
    assert arrivals(random.Random(5), 300) == arrivals(random.Random(5), 300)
    assert arrivals(random.Random(5), 300) != arrivals(random.Random(6), 300)
