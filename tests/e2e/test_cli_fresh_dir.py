"""A fresh project run from another directory: one database file, at the README's place
(``var/leadloom.db`` beside the config folder), used by the CLI and by the web app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.records import membership
from leadloom.settings import Settings
from leadloom.web import create_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = "f" * 48


def _leadloom(project: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLOOM_")}
    env["LEADLOOM_SECRET_KEY"] = SECRET
    return subprocess.run([sys.executable, "-m", "leadloom", "--config", str(project / "config"),
                           *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_the_cli_from_another_directory_makes_one_database_the_app_uses(tmp_path, monkeypatch):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    shutil.copytree(ROOT / "config", project / "config")
    elsewhere.mkdir()
    migrated = _leadloom(project, elsewhere, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    created = _leadloom(project, elsewhere, "user", "zhang", "--role", "rep", "--team",
                        "east-1", "--password", "Fresh-dir-pass-2024")
    assert created.returncode == 0, created.stderr
    assert "user zhang (#1) created: roles rep; team east-1; unit east" in created.stdout
    again = _leadloom(project, elsewhere, "user", "zhang", "--role", "supervisor", "--team",
                      "west-1", "--password", "Fresh-dir-pass-2024")
    assert again.returncode == 0, again.stderr
    assert "user zhang (#1) updated: roles supervisor; team west-1; unit west" in again.stdout

    database = project / "var" / "leadloom.db"
    assert sorted(tmp_path.rglob("*.db")) == [database]
    assert not (ROOT / "platform" / "instance").exists()

    monkeypatch.chdir(elsewhere)
    for name in ("LEADLOOM_DATABASE_URL", "LEADLOOM_CONFIG_DIR", "LEADLOOM_REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env(config_dir=Path("../project/config"), secret_key=SECRET)
    assert settings.database_url == f"sqlite:///{database}"
    assert settings.reports_dir == project / "var" / "reports"
    app = create_app(settings)
    with app.app_context():
        st = app.extensions["leadloom"]
        assert st.db.engine.url.database == str(database)
        account = st.appbuilder.sm.find_user(username="zhang")
        assert [r.name for r in account.roles] == ["supervisor"]
        assert membership(st.db.session, st.models, account.id).team == "west-1"
        st.db.engine.dispose()
    assert sorted(tmp_path.rglob("*.db")) == [database]


def test_an_explicitly_relative_sqlite_url_is_read_against_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADLOOM_DATABASE_URL", "sqlite:///data/crm.db?timeout=5")
    monkeypatch.setenv("LEADLOOM_REPORTS_DIR", "archive")
    settings = Settings.from_env(config_dir=ROOT / "config")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'crm.db'}?timeout=5"
    assert settings.reports_dir == tmp_path / "archive"
    monkeypatch.chdir(ROOT)  # a process that changes directory later keeps the same files
    assert Settings.from_env(config_dir=ROOT / "config").database_url != settings.database_url
    kept = Settings(config_dir=settings.config_dir, database_url=settings.database_url)
    assert kept.database_url == settings.database_url
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db"):
        assert Settings(database_url=url).database_url == url
    engine = sa.create_engine(settings.database_url)  # SQLAlchemy reads the same file
    assert engine.url.database == str(tmp_path / "data" / "crm.db")
