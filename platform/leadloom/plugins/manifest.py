"""``plugin.yaml``: a plugin's name, version, what it provides and needs, its settings schema.

Read with the line of every key, so a problem points at ``plugins/x/plugin.yaml:7``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from leadloom.plugins.errors import PluginProblem

MANIFEST = "plugin.yaml"
#: the kinds of names a plugin provides; two plugins providing one name are refused
KINDS = ("field_types", "rule_functions", "report_sections", "record_hooks",
         "notification_channels", "periodic_jobs", "import_formats", "export_formats")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_KEYS = frozenset({"name", "version", "description", "module", "provides", "requires",
                   "config"})


@dataclass(frozen=True, slots=True)
class Manifest:
    """A checked ``plugin.yaml``."""

    name: str
    version: str
    description: str
    folder: Path
    module: str
    provides: tuple[tuple[str, tuple[str, ...]], ...]
    requires_plugins: tuple[str, ...]
    requires_python: tuple[str, ...]
    config: dict[str, Any]
    lines: tuple[tuple[str, int], ...]

    @property
    def file(self) -> Path:
        return self.folder / MANIFEST

    def line(self, path: str) -> int | None:
        """The line of dotted key ``path`` (``provides.field_types``), else its parent's."""
        found = dict(self.lines)
        while path and path not in found:
            path = path.rpartition(".")[0]
        return found.get(path, 1)

    def problem(self, path: str, message: str) -> PluginProblem:
        return PluginProblem(self.name, self.file, self.line(path), path, message)

    def provided(self, kind: str) -> tuple[str, ...]:
        return dict(self.provides).get(kind, ())


def read_manifest(folder: Path) -> tuple[Manifest | None, list[PluginProblem]]:
    """Read and check ``folder/plugin.yaml``; every problem has its file and line."""
    file = folder / MANIFEST
    label = folder.name
    try:
        node = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeError) as exc:
        return None, [PluginProblem(label, file, None, "", f"cannot read the manifest: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return None, [PluginProblem(label, file, line, "", f"not valid YAML: {exc}")]
    if not isinstance(node, yaml.MappingNode):
        return None, [PluginProblem(label, file, 1, "", "the manifest must hold 'key: value' "
                                                        "lines (name, version, provides)")]
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    lines = tuple(_lines(node, ""))
    return _checked(folder, data, lines)


def _lines(node: yaml.Node, prefix: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            found.append((path, key.start_mark.line + 1))
            found += _lines(value, path)
    return found


def _checked(folder: Path, data: dict[str, Any],
             lines: tuple[tuple[str, int], ...]) -> tuple[Manifest | None, list[PluginProblem]]:
    name = data.get("name")
    label = name if isinstance(name, str) else folder.name
    found = dict(lines)
    problems: list[PluginProblem] = []

    def bad(path: str, message: str) -> None:
        problems.append(PluginProblem(label, folder / MANIFEST, found.get(path, 1), path,
                                      message))

    for key in sorted(set(data) - _KEYS):
        bad(key, f"unknown key '{key}' (known: {', '.join(sorted(_KEYS))})")
    if not isinstance(name, str) or not _NAME.match(name):
        bad("name", "give a name: lower-case letters, digits and _ (e.g. region_cn)")
    if not isinstance(data.get("version"), str):
        bad("version", "give a version in quotes, e.g. '1.0.0'")
    provides = _provides(data.get("provides"), bad)
    requires = data.get("requires") or {}
    if not isinstance(requires, dict) or set(requires) - {"plugins", "python"}:
        bad("requires", "requires takes 'plugins' and 'python' lists")
        requires = {}
    config = data.get("config") or {"type": "object", "additionalProperties": False}
    try:
        jsonschema.Draft202012Validator.check_schema(config)
    except jsonschema.SchemaError as exc:
        bad("config", f"config is not a JSON Schema: {exc.message}")
    if problems:
        return None, problems
    return Manifest(
        name=name, version=data["version"], description=str(data.get("description", "")),
        folder=folder, module=str(data.get("module", "plugin")), provides=provides,
        requires_plugins=_strings(requires.get("plugins")),
        requires_python=_strings(requires.get("python")), config=config, lines=lines), []


def _provides(raw: Any, bad: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict) or not raw:
        bad("provides", f"say what the plugin provides: one or more of {', '.join(KINDS)}")
        return ()
    out = []
    for kind, names in raw.items():
        if kind not in KINDS:
            bad(f"provides.{kind}", f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
        elif not isinstance(names, list) or not all(
                isinstance(n, str) and _NAME.match(n) for n in names):
            bad(f"provides.{kind}", "give a list of names (lower-case letters, digits, _)")
        else:
            out.append((kind, tuple(names)))
    return tuple(out)


def _strings(raw: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in raw) if isinstance(raw, list) else ()
