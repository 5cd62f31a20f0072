"""``demo-data --check`` on data made earlier measures against the as-of they were made
with: given, read from the run's manifest, or estimated (and said so)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from leadloom.cli.main import cli

CONFIG = Path(__file__).resolve().parents[3] / "config"


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url", url,
                                      "demo-data", *args])
    return result.exit_code, result.output


def _as_of_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("calibration as of"))


def test_check_without_as_of_reads_the_manifest_or_estimates_from_the_data(
        database_factory: Callable[[], str], tmp_path: Path):
    url = database_factory()
    manifest = str(tmp_path / "run.json")
    code, output = _run(url, "--leads", "150", "--seed", "4", "--as-of", "2025-06-30",
                        "--manifest", manifest, "--check")
    assert code in (0, 1), output
    assert _as_of_line(output) == "calibration as of 2025-06-30 23:59 (--as-of)"

    code, output = _run(url, "--check", "--manifest", manifest)
    assert "already present" in output
    assert _as_of_line(output) == f"calibration as of 2025-06-30 23:59 (from {manifest})"

    code, output = _run(url, "--check")
    line = _as_of_line(output)
    assert "estimated" in line and "--as-of" in line
    found = re.search(r"as of (\S+) 23:59", line)
    assert found is not None, line
    estimate = dt.date.fromisoformat(found.group(1))
    assert dt.date(2025, 6, 20) <= estimate <= dt.date(2025, 6, 30)
    assert len([x for x in output.splitlines() if x.startswith(("ok ", "OFF"))]) >= 10


def test_check_on_a_fresh_run_uses_the_default_as_of(database_factory: Callable[[], str]):
    code, output = _run(database_factory(), "--leads", "60", "--check")
    assert code in (0, 1), output
    assert _as_of_line(output) == ("calibration as of 2025-12-31 23:59 "
                                   "(the as-of this run generated with)")
