"""bench/tick.py keeps working: a small run on SQLite builds its leads, runs every job of
``tick`` and reclaims exactly the idle quarter."""

from __future__ import annotations

import re

import pytest

from bench import tick


@pytest.mark.slow
def test_the_tick_benchmark_reclaims_the_idle_quarter(capsys):
    assert tick.main(["--leads", "200"]) == 0
    out = capsys.readouterr().out
    for job in tick.periodic.JOBS:
        assert re.search(rf"^  {job} +\d+\.\d\d s  count \d+$", out, re.MULTILINE), job
    assert re.search(r"tick total [\d.]+ s; 50 reclaims, [\d.]+ ms a reclaim \(load ", out)
