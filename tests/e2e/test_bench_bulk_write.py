"""bench/bulk_write.py keeps working: its SQLite run on a few leads prints every figure."""

from __future__ import annotations

import pytest

from bench.bulk_write import main


@pytest.mark.slow
def test_the_bulk_write_bench_prints_its_ratios(capsys):
    assert main(["--leads", "60"]) == 0
    out = capsys.readouterr().out
    assert "ratio bulk_create ÷ plain (leads)" in out and "(follow-ups)" in out
    assert out.count("load ") == 4
