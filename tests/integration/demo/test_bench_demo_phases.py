"""bench/demo_phases.py keeps working: a small run prints every phase and the split
between the generator and the write path."""

from __future__ import annotations

from collections.abc import Callable

from bench.demo_phases import main


def test_the_breakdown_names_every_phase(database_factory: Callable[[], str], capsys):
    assert main(["--leads", "150", "--seed", "5", "--database-url", database_factory()]) == 0
    out = capsys.readouterr().out
    for phase in ("planning", "lead", "followup", "stage move", "approval"):
        assert f"  {phase} " in out, out
    assert "generator (planning) / write path:" in out
    assert "load " in out
