"""A missing CJK font is an error at worker start, not silent empty boxes in PDFs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from leadloom.cli.main import cli
from leadloom.reporting import fonts
from leadloom.reporting.errors import MissingFont


def test_installed_cjk_font_is_found() -> None:
    assert "CJK" in fonts.require_cjk_font() or fonts.cjk_families()


def test_no_cjk_font_is_an_error_that_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(fonts, "cjk_families", lambda: [])
    with pytest.raises(MissingFont, match="apt-get install fonts-noto-cjk"):
        fonts.require_cjk_font()


def test_worker_refuses_to_start_without_a_cjk_font(monkeypatch) -> None:
    monkeypatch.setattr(fonts, "cjk_families", lambda: [])
    monkeypatch.setenv("LEADLOOM_REDIS_URL", "redis://127.0.0.1:1/0")  # never reached
    result = CliRunner().invoke(cli, ["worker", "--burst"])
    assert result.exit_code == 1
    assert "no CJK font installed" in result.output


def test_worker_and_scheduler_need_redis(monkeypatch) -> None:
    monkeypatch.delenv("LEADLOOM_REDIS_URL", raising=False)
    for command in ("worker", "scheduler"):
        result = CliRunner().invoke(cli, [command])
        assert result.exit_code == 1 and "set LEADLOOM_REDIS_URL" in result.output
