"""``leadloom tick``: the periodic lead jobs from the command line, at a chosen time."""

from __future__ import annotations

from click.testing import CliRunner

from leadloom.cli.main import cli
from tests.conftest import CONFIG


def test_tick_runs_every_job_once_and_again_sends_nothing_new(database_factory):
    url = database_factory()
    args = ["--config", str(CONFIG), "--database-url", url, "tick", "--now",
            "2024-10-08T08:30"]
    first = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert ("rules of config v1: recomputed 0 open leads; deadlines changed 0; grades changed 0"
            in first.output)
    for job in ("reclaim: 0", "sla: 0", "stale: 0", "tasks: 0", "digest: 0"):
        assert job in first.output
    again = CliRunner().invoke(cli, [*args, "--only", "sla"], catch_exceptions=False)
    assert again.output.strip() == "sla: 0"


def test_tick_refuses_a_bad_time(database_factory):
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url",
                                      database_factory(), "tick", "--now", "tomorrow"])
    assert result.exit_code == 2 and "is not a time like" in result.output
