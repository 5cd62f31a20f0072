"""A missing or short ``LEADLOOM_SECRET_KEY`` is refused outside demo and tests, before the
database is touched; the CLI says why in one message, no traceback, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from leadloom.cli.main import cli
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.app import MIN_SECRET_KEY_LENGTH, MissingSecretKey, WeakSecretKey

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize(("key", "refused"), [
    (None, MissingSecretKey), ("", MissingSecretKey), ("abc", WeakSecretKey),
    ("k" * (MIN_SECRET_KEY_LENGTH - 1), WeakSecretKey)])
def test_create_app_refuses_a_missing_or_short_key(tmp_path, key, refused):
    database = tmp_path / "leadloom.db"
    settings = Settings(config_dir=CONFIG, database_url=f"sqlite:///{database}", secret_key=key)
    with pytest.raises(refused) as raised:
        create_app(settings)
    chinese, english = str(raised.value).splitlines()
    assert f"至少{'需要' if key else ''} {MIN_SECRET_KEY_LENGTH} 个" in chinese
    assert f"at least {MIN_SECRET_KEY_LENGTH} random characters" in english
    assert not database.exists()


def test_the_cli_prints_the_reason_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADLOOM_SECRET_KEY", "abc")
    monkeypatch.setenv("LEADLOOM_DATABASE_URL", f"sqlite:///{tmp_path / 'leadloom.db'}")
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "user", "zhang", "--role", "rep",
                                      "--password", "Secret-key-pass-1"])
    assert result.exit_code == 2, result.output
    assert "LEADLOOM_SECRET_KEY is too short (3 characters)" in result.output
    assert "LEADLOOM_SECRET_KEY 太短（3 个字符）" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "leadloom.db").exists()
