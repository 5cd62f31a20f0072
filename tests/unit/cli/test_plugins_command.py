"""``leadloom plugins`` lists every plugin found, enabled or not, and why one is refused,
even when that refusal keeps the app from starting."""

from __future__ import annotations

from click.testing import CliRunner

from leadloom.cli.main import cli
from tests.plugins_configs import EXAMPLES, SHIPPED, plugin_config, write_plugin


def test_the_shipped_examples_are_listed_enabled(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(SHIPPED))
    config = plugin_config(tmp_path, EXAMPLES[:2], examples=False)
    result = CliRunner().invoke(cli, ["--config", str(config), "plugins"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[2] for line in result.output.splitlines()
            if line.startswith("  ")}
    assert rows == {"region_cn": "enabled", "rule_fn_example": "enabled",
                    "report_section_example": "available"}
    assert "field_types: region" in result.output


def test_a_refused_plugin_is_listed_with_why_and_the_exit_code_says_so(tmp_path,
                                                                       monkeypatch):
    plugins = tmp_path / "plugins"
    monkeypatch.setenv("LEADLOOM_PLUGINS_DIR", str(plugins))
    write_plugin(plugins, "fine", 'name: fine\nversion: "1"\nprovides: {record_hooks: [x]}\n')
    broken = write_plugin(plugins, "broken", 'name: broken\nversion: "1"\n'
                                             "provides: {record_hooks: [y]}\n"
                                             "requires: {python: [no-such-dist-leadloom]}\n")
    config = plugin_config(tmp_path, ["fine", "broken"], examples=False)
    result = CliRunner().invoke(cli, ["--config", str(config), "plugins"])
    assert result.exit_code == 1
    assert any(line.split()[:3] == ["broken", "1", "refused"]
               for line in result.output.splitlines())
    assert any(line.split()[:3] == ["fine", "1", "enabled"]
               for line in result.output.splitlines())
    assert (f"{broken / 'plugin.yaml'}:4: plugins.broken.requires.python: needs the Python "
            "package 'no-such-dist-leadloom': pip install no-such-dist-leadloom") in result.output
