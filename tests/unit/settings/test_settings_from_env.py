"""Settings come from LEADLOOM_* variables; an option left unset (None) keeps the variable's
value: the CLI passes its options' defaults (None) as overrides on every command."""

from __future__ import annotations

from pathlib import Path

from leadloom.settings import Settings

URL = "postgresql+psycopg://leadloom:leadloom@db.example:5432/crm"


def test_the_environment_is_read_when_the_overrides_are_unset(monkeypatch):
    monkeypatch.setenv("LEADLOOM_DATABASE_URL", URL)
    monkeypatch.setenv("LEADLOOM_EXACT_COUNT_LIMIT", "500")
    settings = Settings.from_env(config_dir=None, database_url=None)
    assert (settings.database_url, settings.exact_count_limit) == (URL, 500)


def test_an_override_wins_over_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("LEADLOOM_DATABASE_URL", URL)
    mine = f"sqlite:///{tmp_path / 'mine.db'}"
    assert Settings.from_env(database_url=mine).database_url == mine
