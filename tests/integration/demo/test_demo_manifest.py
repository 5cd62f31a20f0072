"""``leadloom demo-data``: same seed and as-of give byte-identical data (compared through
the manifest), another as-of gives other data, and the calibration check holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadloom.cli.main import cli

CONFIG = Path(__file__).resolve().parents[3] / "config"


def _demo_data(url: str, tmp_path: Path, name: str, *args: str) -> tuple[int, str, dict]:
    path = tmp_path / f"{name}.json"
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url", url,
                                      "demo-data", "--manifest", str(path), *args])
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return result.exit_code, result.output, manifest


def test_same_seed_and_as_of_give_identical_data_another_as_of_other_data(
        database_factory: Callable[[], str], tmp_path: Path):
    args = ("--leads", "120", "--seed", "3", "--as-of", "2025-06-30")
    code, output, first = _demo_data(database_factory(), tmp_path, "first", *args)
    assert code == 0, output
    code, output, second = _demo_data(database_factory(), tmp_path, "second", *args)
    assert code == 0, output
    assert first == second
    tables = first["tables"]
    assert tables["lead"]["rows"] == 120
    assert tables["ll_stage_history"]["rows"] > 120  # a dated path per lead, not one row
    code, output, later = _demo_data(database_factory(), tmp_path, "later", "--leads", "120",
                                     "--seed", "3", "--as-of", "2025-09-30")
    assert code == 0, output
    assert later["as_of"] == "2025-09-30T23:59:00"
    assert later["tables"]["lead"]["rows"] == 120
    assert later["tables"]["lead"]["sha256"] != tables["lead"]["sha256"]
    assert later["tables"]["ll_stage_history"]["sha256"] != \
        tables["ll_stage_history"]["sha256"]


def test_a_bad_as_of_is_refused_before_anything_is_written(
        database_factory: Callable[[], str], tmp_path: Path):
    code, output, manifest = _demo_data(database_factory(), tmp_path, "bad", "--as-of",
                                        "yesterday")
    assert code == 2
    assert "not a date" in output
    assert manifest == {}


@pytest.mark.slow
def test_the_calibration_targets_hold_for_1500_leads(
        database_factory: Callable[[], str], tmp_path: Path):
    code, output, _ = _demo_data(database_factory(), tmp_path, "check", "--leads", "1500",
                                 "--check")
    lines = [line for line in output.splitlines() if line.startswith(("ok ", "OFF"))]
    assert len(lines) >= 10, output
    assert code == 0, output
    assert all(line.startswith("ok ") for line in lines), output
