"""``leadloom check`` end to end through click: lines on stderr, exit codes, no side effects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from leadloom.cli.main import cli
from tests.helpers import replace_once, snapshot

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    return root


def check(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)






def test_good_config_prints_summary(config: Path, tmp_path: Path) -> None:
    result = check("--config", str(config), "--database-url", f"sqlite:///{tmp_path}/x.db",
                   "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "config OK: 4 entities, 24 fields, 5 roles, 2 units",
        f"not planned against stored data (no database at sqlite:///{tmp_path}/x.db): "
        "publish may still refuse a change the data does not fit"]
    assert result.stderr == ""


def test_bad_config_prints_every_line_and_exits_1(config: Path, tmp_path: Path) -> None:
    replace_once(config / "entities/lead.yaml", "type: money,", "type: money2,")
    replace_once(config / "units/west.yaml", "west-1:", "east-1:")
    (config / "roles.yaml").unlink()

    result = check("--database-url", f"sqlite:///{tmp_path}/x.db", "check",
                   "--config", str(config))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "entities/lead.yaml:17: entities.lead.fields.budget.type: unknown type 'money2' "
        "(known: string, text, integer, decimal, money, boolean, date, datetime, enum, "
        "multi_enum, email, phone, reference, user, tags)",
        "roles.yaml: file missing: create it with 'roles' and an admin role",
        "units/west.yaml:6: units.west.teams.east-1: team 'east-1' is also in unit 'east'",
        f"3 problem(s) in {config}; nothing was changed.",
    ]


def test_check_option_wins_over_group_option(config: Path, tmp_path: Path) -> None:
    replace_once(config / "app.yaml", "Asia/Shanghai", "Asia/Shangai")
    result = check("--config", str(BASIC), "--database-url", f"sqlite:///{tmp_path}/x.db",
                   "check", "--config", str(config))
    assert result.exit_code == 1
    assert "app.yaml:4: timezone: unknown time zone 'Asia/Shangai'" in result.stderr


@pytest.mark.parametrize("broken", [False, True], ids=["good", "bad"])
def test_check_touches_nothing(config: Path, tmp_path: Path, broken: bool) -> None:
    """No database file is created and no config file changes, whatever the outcome."""
    if broken:
        replace_once(config / "entities/lead.yaml", "to: source,", "to: sources,")
    database = tmp_path / "var" / "x.db"
    before = snapshot(tmp_path)

    result = check("--config", str(config), "--database-url", f"sqlite:///{database}", "check")

    assert result.exit_code == (1 if broken else 0)
    assert not database.exists() and not database.parent.exists()
    assert snapshot(tmp_path) == before
