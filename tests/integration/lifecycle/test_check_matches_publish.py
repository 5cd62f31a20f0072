"""``leadloom check`` says what ``leadloom publish`` would refuse, line for line.

Each case changes a published config with stored rows in a way publishing refuses (a type
change without ``convert``, a narrowing the data does not fit, a link turned into text,
``unique`` on an existing field, ``renamed_from`` in a circle, a YAML syntax error). Both
commands run through click against the same database: the same ``file:line: path: message``
lines, both exit 1, and the database keeps its version and its rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from leadloom import lifecycle
from leadloom.cli.main import cli
from leadloom.lifecycle import store
from leadloom.metadata.files import read_folder
from tests.helpers import replace_once

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"
LEAD = "entities/lead.yaml"
ROWS = [("上海浦东软件有限公司", "重要客户", 120), ("杭州制造", None, 8)]


@dataclass(frozen=True)
class World:
    config: Path
    url: str
    engine: sa.Engine

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(self.config), "--database-url",
                                        self.url, *args], catch_exceptions=False)

    def state(self) -> tuple[int | None, list[tuple[object, ...]]]:
        """The active version and every lead row: equal before and after means untouched."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM lead ORDER BY id")).all()
            return store.latest_number(conn), [tuple(r) for r in rows]


@pytest.fixture
def world(tmp_path: Path, database_factory, monkeypatch) -> Iterator[World]:
    """The basic config published as version 1, with two leads stored."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config"
    shutil.copytree(BASIC, config)
    url = database_factory()
    engine = sa.create_engine(url)
    lifecycle.publish(engine, read_folder(config), author="t", message="v1")
    with engine.begin() as conn:
        for name, notes, headcount in ROWS:
            conn.execute(sa.text("INSERT INTO lead (name, notes, headcount, version) "
                                 "VALUES (:n, :t, :h, 1)"), {"n": name, "t": notes,
                                                             "h": headcount})
    yield World(config, url, engine)
    engine.dispose()


def problems(result: Result) -> list[str]:
    """The problem lines of a failed command: its stderr without the summary line."""
    lines = result.stderr.splitlines()
    assert lines[-1].endswith("nothing was changed."), result.stderr
    return lines[:-1]


CASES = {
    "type-change-without-convert": (
        [("notes: {type: text,", "notes: {type: integer,")],
        [f"{LEAD}:14: entities.lead.fields.notes.type: text → integer: add 'convert: "
         "{map: {old: new}}' to the field to convert values"]),
    "narrowing-the-data-does-not-fit": (
        [("length: 200,", "length: 4,")],
        [f"{LEAD}:12: entities.lead.fields.name.length: 1 stored value(s) are longer than 4: "
         "keep a length they all fit in"]),
    "link-to-text": (
        [("account: {type: reference, to: account,", "account: {type: string,")],
        [f"{LEAD}:40: entities.lead.fields.account.type: reference → string: values cannot "
         "be converted to or from links; add a new field"]),
    "unique-on-an-existing-field": (
        [("headcount: {type: integer,", "headcount: {type: integer, unique: true,")],
        [f"{LEAD}:15: entities.lead.fields.headcount.unique: 'unique' cannot be added to a "
         "field that exists yet: remove it"]),
    "two-refusals-at-once": (
        [("notes: {type: text,", "notes: {type: integer,"), ("length: 200,", "length: 4,")],
        [f"{LEAD}:12: entities.lead.fields.name.length: 1 stored value(s) are longer than 4: "
         "keep a length they all fit in",
         f"{LEAD}:14: entities.lead.fields.notes.type: text → integer: add 'convert: "
         "{map: {old: new}}' to the field to convert values"]),
    "renamed-from-cycle": (
        [("notes: {type: text,", "notes: {renamed_from: headcount, type: text,"),
         ("headcount: {type: integer,", "headcount: {renamed_from: notes, type: integer,")],
        [f"{LEAD}:14: entities.lead.fields.notes.renamed_from: renamed_from goes round in a "
         "circle (cycle: notes ← headcount ← notes)",
         f"{LEAD}:15: entities.lead.fields.headcount.renamed_from: renamed_from goes round "
         "in a circle (cycle: headcount ← notes ← headcount)"]),
    "yaml-syntax-error": (
        [("title_field: name", "title_field: name: x")],
        [f"{LEAD}:7: entities.lead: YAML syntax error: mapping values are not allowed here "
         "(column 18)"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_reports_what_publish_refuses(world: World, case: str) -> None:
    edits, expected = CASES[case]
    for old, new in edits:
        replace_once(world.config / LEAD, old, new)
    before = world.state()

    checked = world.run("check")
    published = world.run("publish", "-m", "refused")

    assert (checked.exit_code, published.exit_code) == (1, 1)
    assert problems(checked) == expected
    assert problems(published) == expected
    assert checked.stdout == published.stdout == ""
    assert world.state() == before


def test_a_change_the_data_fits_passes_both(world: World) -> None:
    replace_once(world.config / LEAD, "length: 200,", "length: 30,")
    replace_once(world.config / LEAD, "notes: {type: text,",
                 "notes: {type: integer, convert: {map: {重要客户: 1}},")
    checked = world.run("check")
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout == "config OK: 4 entities, 24 fields, 5 roles, 2 units\n"
    published = world.run("publish", "-m", "fits")
    assert published.exit_code == 0, published.stderr
    assert world.state()[0] == 2


def test_check_without_a_database_says_so(world: World, tmp_path: Path) -> None:
    replace_once(world.config / LEAD, "notes: {type: text,", "notes: {type: integer,")
    missing = tmp_path / "nowhere" / "x.db"
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url",
                                      f"sqlite:///{missing}", "check"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "config OK: 4 entities, 24 fields, 5 roles, 2 units",
        f"not planned against stored data (no database at sqlite:///{missing}): publish "
        "may still refuse a change the data does not fit",
    ]
    assert not missing.parent.exists()


def test_check_with_a_database_that_is_down_says_so(world: World) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/leadloom"
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url", url,
                                      "check"])
    assert result.exit_code == 0, result.stderr
    assert "not planned against stored data (database postgresql+psycopg://nobody:***@" \
           "127.0.0.1:1/leadloom not reachable)" in result.stdout
    assert "secret" not in result.stdout


def test_publish_with_a_database_that_is_down_fails_cleanly(world: World) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/leadloom"
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url", url,
                                      "publish"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "the database could not be used; nothing was " \
                                             "changed."
    assert "secret" not in result.stderr
