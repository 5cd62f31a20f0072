"""bench/recompute.py keeps working: a SQLite run on a few leads publishes a holiday in a
process of its own, recomputes every lead and prints its figures."""

from __future__ import annotations

import re

import pytest

from bench.recompute import main


@pytest.mark.slow
def test_the_recompute_bench_prints_rows_a_second(capsys):
    assert main(["--leads", "40", "--reads", "3"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"recompute of v2 done: 40 checked, (\d+) changed, deadlines (\d+)", out)
    assert found and found.group(1) == found.group(2) != "0", out
    assert "TARGET recompute_rows_per_s[40]=" in out and "list page idle:" in out
