"""Loading whole config folders: the good ones load, every problem is reported at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadloom.metadata import ConfigError, ConfigInvalid, FieldType, load_registry
from tests.helpers import replace_once, snapshot

TESTS = Path(__file__).resolve().parents[2]
BASIC = TESTS / "configs" / "basic"
DEFAULT = TESTS.parent / "config"


def test_basic_config_loads() -> None:
    registry = load_registry(BASIC)
    assert [m.code for m in registry.menus] == ["sales", "settings"]
    assert [s.code for s in registry.option_sets] == ["industry"]
    assert {e.code for e in registry.entities} == {"tag", "source", "lead", "account"}
    assert {r.code for r in registry.roles} == {"admin", "supervisor", "rep", "finance",
                                                "marketing"}
    assert registry.team_unit("east-1") == "east" and registry.team_unit("west-1") == "west"
    source = registry.entity("source")
    assert [dict(row.values)["code"] for row in source.seed] == ["WEB", "EXPO", "REF"]


def test_basic_lead_covers_every_field_type() -> None:
    lead = load_registry(BASIC).entity("lead")
    assert {f.type for f in lead.fields} == set(FieldType)
    assert lead.field("source").to == "source"
    assert lead.field("need_tags").group == "need"
    assert lead.field("channels").default == ("phone",)


def test_default_config_loads_clean() -> None:
    registry = load_registry(DEFAULT)
    assert registry.entity("lead").title_field == "customer_name"


def test_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    replace_once(root / "units/west.yaml", "west-1:", "east-1:")
    replace_once(root / "roles.yaml", "hidden: [phone, email]", "hidden: [phone, mail]")
    replace_once(root / "entities/lead.yaml", "type: money,", "type: money2,")
    replace_once(root / "entities/lead.yaml", "title_field: name", "title_field: title")
    replace_once(root / "app.yaml", "Asia/Shanghai", "Mars/Olympus")
    replace_once(root / "entities/source.yaml", "by: code", "by: kode")

    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)

    where = [(str(e.file), e.line, e.path) for e in raised.value.errors]
    assert where == [
        ("app.yaml", 4, "timezone"),
        ("entities/lead.yaml", 7, "entities.lead.title_field"),
        ("entities/lead.yaml", 17, "entities.lead.fields.budget.type"),
        ("entities/source.yaml", 14, "entities.source.seed.by"),
        ("roles.yaml", 36, "roles.finance.entities.lead.hidden.1"),
        ("units/west.yaml", 6, "units.west.teams.east-1"),
    ]
    assert str(raised.value).splitlines() == [str(e) for e in raised.value.errors]


def test_errors_are_sorted_and_deduplicated() -> None:
    late = ConfigError(Path("b.yaml"), 9, "x", "m")
    early = ConfigError(Path("b.yaml"), 2, "y", "m")
    no_line = ConfigError(Path("a.yaml"), None, "", "file missing")
    assert ConfigInvalid([late, early, no_line, late]).errors == [no_line, early, late]


def test_error_without_path_prints_without_one() -> None:
    assert str(ConfigError(Path("app.yaml"), None, "", "file missing")) == "app.yaml: file missing"
    assert str(ConfigError(Path("app.yaml"), 3, "title", "m")) == "app.yaml:3: title: m"


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(tmp_path / "nowhere")
    assert [e.message for e in raised.value.errors] == ["config folder not found"]


def test_folder_without_entities(tmp_path: Path) -> None:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root, ignore=shutil.ignore_patterns("entities"))
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)
    assert "entities: entities: no entity files: add entities/<code>.yaml" in str(raised.value)


def test_loading_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    before = snapshot(tmp_path)
    load_registry(root)
    assert snapshot(tmp_path) == before




