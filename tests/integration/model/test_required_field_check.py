"""``leadloom check`` against live data: a required field without a default cannot be added
to a table that already has rows, and the error points at the field's ``required`` key."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.cli.main import cli
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate
from leadloom.records import Context, create

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"
LEAD = "entities/lead.yaml"
#: appended to lead.yaml (41 lines), so ``required: true`` sits on line 45.
REGION = "  region:\n    type: string\n    zh: 区域\n    en: Region\n    required: true\n"
SUMMARY = "config OK: 4 entities, 25 fields, 5 roles, 2 units"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(BASIC, folder)
    return folder


@pytest.fixture
def database(tmp_path: Path, config: Path) -> Iterator[Path]:
    """The basic config migrated into a SQLite file, with one lead row."""
    path = tmp_path / "crm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    models = build_models(load_registry(config))
    migrate(engine, models)
    with Session(engine) as session:
        create(Context(Actor.system_actor(), session, models, channel="test"), "lead",
               {"name": "上海恒鼎精密机械有限公司"})
    engine.dispose()
    yield path


def add_to_lead(config: Path, text: str) -> None:
    path = config / LEAD
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def check(config: Path, database: Path) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--database-url",
                                    f"sqlite:///{database}", "check"], catch_exceptions=False)


def test_required_field_without_default_on_table_with_rows(config: Path,
                                                           database: Path) -> None:
    add_to_lead(config, REGION)
    before = database.read_bytes()

    result = check(config, database)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{LEAD}:45: entities.lead.fields.region.required: 'lead' already has 1 row(s): give "
        "this required field a default",
        f"1 problem(s) in {config}; nothing was changed.",
    ]
    assert database.read_bytes() == before, "check must not change the database"


def test_required_field_with_default_passes(config: Path, database: Path) -> None:
    add_to_lead(config, REGION + "    default: north\n")
    result = check(config, database)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == SUMMARY


def test_required_reference_asks_for_a_rollout(config: Path, database: Path) -> None:
    add_to_lead(config, "  origin: {type: reference, to: source, zh: 来源2, en: Origin, "
                        "required: true}\n")
    result = check(config, database)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{LEAD}:41: entities.lead.fields.origin.required: 'lead' already has 1 row(s): add "
        "it optional, fill it, then require it",
        f"1 problem(s) in {config}; nothing was changed.",
    ]


def test_optional_field_or_empty_table_passes(config: Path, database: Path) -> None:
    add_to_lead(config, "  region: {type: string, zh: 区域, en: Region}\n")
    assert check(config, database).exit_code == 0

    account = config / "entities/account.yaml"
    account.write_text(account.read_text(encoding="utf-8")
                       + "  vat_no: {type: string, zh: 税号, en: VAT no., required: true}\n",
                       encoding="utf-8")
    assert check(config, database).exit_code == 0, "no account rows: nothing to fill"


def test_without_database_only_the_config_is_checked(config: Path, tmp_path: Path) -> None:
    add_to_lead(config, REGION)
    missing = tmp_path / "none.db"
    result = check(config, missing)
    assert result.exit_code == 0
    assert not missing.exists()
