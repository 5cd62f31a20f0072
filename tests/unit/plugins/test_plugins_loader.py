"""The loader refuses a broken plugin with the file and line to fix, never half-loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.plugins import PluginsRefused, find_plugins, load_plugins, search_dirs, try_load
from tests.plugins_configs import plugin_config, write_plugin

GOOD = """name: {name}
version: "1.0"
provides: {{field_types: [{kind}]}}
"""
FIELD_TYPE = '''from leadloom.plugins import FieldTypeSpec, hookimpl


@hookimpl
def leadloom_field_types():
    return [FieldTypeSpec("{kind}", "string", lambda v: None, lambda v, loc: str(v))]
'''


def problems_of(root: Path, enabled: list[str], settings: dict | None = None) -> list[str]:
    _, found = try_load(enabled, settings or {}, find_plugins([root], installed=False), {})
    return [str(p) for p in found]


def test_a_good_plugin_loads_and_provides_its_field_type(tmp_path):
    write_plugin(tmp_path, "alpha", GOOD.format(name="alpha", kind="alpha_code"),
                 FIELD_TYPE.format(kind="alpha_code"))
    plugins = load_plugins(["alpha"], {}, find_plugins([tmp_path], installed=False), {})
    assert list(plugins.field_types) == ["alpha_code"]
    assert plugins.names == ("alpha",)


def test_a_manifest_that_is_not_yaml_is_refused_at_its_line(tmp_path):
    folder = write_plugin(tmp_path, "broken", 'name: broken\nversion: "1"\nprovides: [a\n')
    [problem] = problems_of(tmp_path, ["broken"])
    assert problem.startswith(f"{folder / 'plugin.yaml'}:")
    assert "not valid YAML" in problem


def test_an_unknown_manifest_key_is_refused_at_its_line(tmp_path):
    folder = write_plugin(tmp_path, "typo", 'name: typo\nversion: "1"\n'
                                            "provides: {field_types: [typo_t]}\nprovide: x\n")
    [problem] = problems_of(tmp_path, ["typo"])
    assert problem.startswith(f"{folder / 'plugin.yaml'}:4: provide: ")
    assert "unknown key 'provide'" in problem


def test_a_missing_python_package_is_refused_with_how_to_install_it(tmp_path):
    folder = write_plugin(tmp_path, "needy", GOOD.format(name="needy", kind="needy_t")
                          + "requires:\n  python: [no-such-package-leadloom]\n",
                          FIELD_TYPE.format(kind="needy_t"))
    [problem] = problems_of(tmp_path, ["needy"])
    assert problem.startswith(f"{folder / 'plugin.yaml'}:5: requires.python: ")
    assert "pip install no-such-package-leadloom" in problem


def test_a_required_plugin_must_be_enabled_too(tmp_path):
    write_plugin(tmp_path, "child", GOOD.format(name="child", kind="child_t")
                 + "requires:\n  plugins: [parent]\n", FIELD_TYPE.format(kind="child_t"))
    [problem] = problems_of(tmp_path, ["child"])
    assert "needs plugin 'parent': enable it too" in problem


def test_an_import_error_is_refused_at_the_plugin_line_that_raised(tmp_path):
    folder = write_plugin(tmp_path, "crash", GOOD.format(name="crash", kind="crash_t"),
                          "import os\n\nVALUE = os.environ['LEADLOOM_NO_SUCH_VARIABLE']\n")
    [problem] = problems_of(tmp_path, ["crash"])
    assert problem.startswith(f"{folder / 'plugin.py'}:3: module: ")
    assert "does not import: KeyError" in problem


def test_a_syntax_error_is_refused_at_its_line(tmp_path):
    folder = write_plugin(tmp_path, "syntax", GOOD.format(name="syntax", kind="syntax_t"),
                          "x = 1\ndef broken(:\n")
    [problem] = problems_of(tmp_path, ["syntax"])
    assert problem.startswith(f"{folder / 'plugin.py'}:2: module: ")


def test_a_start_hook_that_raises_refuses_the_plugin_at_its_line(tmp_path):
    code = FIELD_TYPE.format(kind="start_t") + (
        "\n\n@hookimpl\ndef leadloom_startup(settings):\n"
        "    raise RuntimeError('no licence key')\n")
    folder = write_plugin(tmp_path, "start", GOOD.format(name="start", kind="start_t"), code)
    [problem] = problems_of(tmp_path, ["start"])
    assert problem.startswith(f"{folder / 'plugin.py'}:11: leadloom_startup: ")
    assert "refused to start: RuntimeError: no licence key" in problem


def test_a_hook_no_spec_names_or_with_unknown_arguments_is_refused(tmp_path):
    write_plugin(tmp_path, "odd", GOOD.format(name="odd", kind="odd_t"),
                 FIELD_TYPE.format(kind="odd_t") + "\n\n@hookimpl\ndef leadloom_on_save(x):\n"
                                                   "    pass\n")
    write_plugin(tmp_path, "args", GOOD.format(name="args", kind="args_t"),
                 "from leadloom.plugins import hookimpl\n\n\n@hookimpl\n"
                 "def leadloom_field_types(colour):\n    return []\n")
    odd, args = problems_of(tmp_path, ["odd"]), problems_of(tmp_path, ["args"])
    assert len(odd) == 1 and "unknown hook 'leadloom_on_save'" in odd[0]
    assert odd[0].startswith(f"{tmp_path / 'odd' / 'plugin.py'}:9: hooks: ")  # @hookimpl
    assert len(args) == 1 and "colour" in args[0]
    assert args[0].startswith(f"{tmp_path / 'args' / 'plugin.py'}:4: hooks: ")


def test_two_plugins_providing_one_name_are_refused(tmp_path):
    write_plugin(tmp_path, "one", GOOD.format(name="one", kind="shared_t"),
                 FIELD_TYPE.format(kind="shared_t"))
    folder = write_plugin(tmp_path, "two", GOOD.format(name="two", kind="shared_t"),
                          FIELD_TYPE.format(kind="shared_t"))
    [problem] = problems_of(tmp_path, ["one", "two"])
    assert problem.startswith(f"{folder / 'plugin.yaml'}:3: provides.field_types: ")
    assert "'shared_t' is also provided by plugin 'one'" in problem
    with pytest.raises(PluginsRefused):
        load_plugins(["one", "two"], {}, find_plugins([tmp_path], installed=False), {})


def test_a_built_in_name_is_refused(tmp_path):
    write_plugin(tmp_path, "lenient", 'name: lenient\nversion: "1"\n'
                                      "provides: {rule_functions: [len]}\n",
                 "from leadloom.plugins import hookimpl\nfrom leadloom.rules import Kind\n"
                 "from leadloom.rules.functions import Function\n\n\n@hookimpl\n"
                 "def leadloom_rule_functions():\n"
                 "    return [Function('len', len, (Kind.ANY,), Kind.NUMBER)]\n")
    [problem] = problems_of(tmp_path, ["lenient"])
    assert "'len' is a built-in name: rename it" in problem


def test_a_name_declared_but_not_returned_is_refused(tmp_path):
    write_plugin(tmp_path, "liar", 'name: liar\nversion: "1"\n'
                                   "provides: {field_types: [liar_t, other_t]}\n",
                 FIELD_TYPE.format(kind="liar_t"))
    [problem] = problems_of(tmp_path, ["liar"])
    assert "declares 'other_t' but no hook returns it" in problem


def test_two_folders_with_one_plugin_name_are_refused(tmp_path):
    write_plugin(tmp_path / "a", "same", GOOD.format(name="same", kind="same_t"),
                 FIELD_TYPE.format(kind="same_t"))
    write_plugin(tmp_path / "b", "same", GOOD.format(name="same", kind="same_t"),
                 FIELD_TYPE.format(kind="same_t"))
    _, found = try_load(["same"], {}, find_plugins([tmp_path / "a", tmp_path / "b"],
                                                   installed=False), {})
    assert "two plugins have this name" in str(found[0])


def test_the_config_check_reports_plugin_problems_with_file_and_line(tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(plugins))
    write_plugin(plugins, "region_like", GOOD.format(name="region_like", kind="spot")
                 + "config:\n  type: object\n  additionalProperties: false\n"
                   "  properties: {strict: {type: boolean}}\n", FIELD_TYPE.format(kind="spot"))
    config = plugin_config(tmp_path, ["region_like", "ghost"],
                           {"region_like": {"strict": "yes"}}, examples=False)
    with pytest.raises(ConfigInvalid) as refused:
        load_registry(config)
    lines = [str(e) for e in refused.value.errors]
    enabled_at = _line_of(config / "app.yaml", "- ghost")
    strict_at = _line_of(config / "app.yaml", "strict:")
    assert f"app.yaml:{enabled_at}: plugins.enabled: plugin 'ghost': not found " \
           "(plugins found: region_like)" in lines
    assert f"app.yaml:{strict_at}: plugins.settings.region_like.strict: plugin " \
           "'region_like': 'yes' is not of type 'boolean'" in lines


def test_a_plugin_field_type_reads_as_its_storage_type(tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(plugins))
    write_plugin(plugins, "spots", GOOD.format(name="spots", kind="spot"),
                 FIELD_TYPE.format(kind="spot"))
    config = plugin_config(tmp_path, ["spots"], examples=False)
    account = config / "entities" / "account.yaml"
    account.write_text(account.read_text(encoding="utf-8").replace(
        "fields:\n", "fields:\n  spot: {type: spot, zh: 点位, en: Spot}\n", 1), encoding="utf-8")
    field = load_registry(config).entity("account").field("spot")
    assert (field.type, field.plugin_type) == ("string", "spot")


def _line_of(file: Path, text: str) -> int:
    return next(i for i, line in enumerate(file.read_text().splitlines(), 1) if text in line)


def test_a_section_without_its_template_is_refused(tmp_path):
    write_plugin(tmp_path, "bare", 'name: bare\nversion: "1"\n'
                                   "provides: {report_sections: [bare_section]}\n",
                 "from leadloom.plugins import ReportSectionSpec, hookimpl\n\n\n@hookimpl\n"
                 "def leadloom_report_sections():\n"
                 "    return [ReportSectionSpec('bare_section', print, 'bare.html')]\n")
    [problem] = problems_of(tmp_path, ["bare"])
    assert "no template 'bare.html'" in problem


def test_a_field_type_stored_as_no_built_in_type_is_refused(tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(plugins))
    write_plugin(plugins, "odd_base", GOOD.format(name="odd_base", kind="blob"),
                 FIELD_TYPE.format(kind="blob").replace('"string"', '"bytes"'))
    with pytest.raises(ConfigInvalid) as refused:
        load_registry(plugin_config(tmp_path, ["odd_base"], examples=False))
    assert [str(e) for e in refused.value.errors] == [
        f"{plugins / 'odd_base' / 'plugin.yaml'}:3: plugins.odd_base.provides.field_types: "
        "field type 'blob' is stored as 'bytes', not a built-in type (boolean, date, "
        "datetime, decimal, email, enum, integer, money, multi_enum, phone, reference, "
        "string, tags, text, user)"]


def test_a_stored_version_finds_plugins_beside_the_config_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADLOOM_PLUGINS_DIR", raising=False)
    monkeypatch.setenv("LEADLOOM_CONFIG_DIR", str(tmp_path / "project" / "config"))
    assert search_dirs("version 3")[0] == tmp_path / "project" / "plugins"
    assert search_dirs(str(tmp_path))[0] == tmp_path.parent / "plugins"


def test_a_start_hook_may_take_no_arguments(tmp_path):
    write_plugin(tmp_path, "quiet", GOOD.format(name="quiet", kind="quiet_t"),
                 FIELD_TYPE.format(kind="quiet_t")
                 + "\n\n@hookimpl\ndef leadloom_startup():\n    raise SystemError('ran')\n")
    [problem] = problems_of(tmp_path, ["quiet"])
    assert "refused to start: SystemError: ran" in problem
