"""The config's side of plugins: ``app.yaml``'s ``plugins:`` section, and field types.

``plugins: {enabled: [region_cn], settings: {region_cn: {...}}}`` names the plugins this
deployment runs; they are loaded while the config loads, so a refused plugin is a config
error like any other (``leadloom check`` prints it, the app and CLI refuse to start). A
field of a plugin's type (``type: region``) is read as the type's built-in storage type
with ``plugin_type`` set, before the files are shape-checked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.reports import SECTIONS
from leadloom.metadata.source import read_document
from leadloom.plugins import (
    NO_PLUGINS,
    FieldTypeSpec,
    PluginProblem,
    PluginSet,
    find_plugins,
    search_dirs,
    try_load,
)
from leadloom.plugins.loader import APP_FILE

#: names the platform has already, that no plugin may take
BUILTIN = {"field_types": frozenset(t.value for t in FieldType),
           "report_sections": frozenset(SECTIONS)}


def app_part(parts: ConfigParts) -> Part | None:
    """``app.yaml`` as checked or, when its shape is wrong elsewhere (already reported), as
    parsed: its plugins still load, so fields of their types are not reported again."""
    if parts.app is not None or not parts.files.exists("app.yaml"):
        return parts.app
    doc, _ = read_document(parts.files, "app.yaml")
    return Part(doc, (), doc.data) if doc and isinstance(doc.data, dict) else None


def plugins_wanted(app: Part | None) -> tuple[list[str], dict[str, Any]]:
    """The enabled plugin names and their settings from ``app.yaml`` (entries of the wrong
    shape left out: the shape check reports them)."""
    raw = (app.data.get("plugins") or {}) if app else {}
    if not isinstance(raw, dict):
        return [], {}
    enabled, settings = raw.get("enabled") or [], raw.get("settings") or {}
    return ([n for n in enabled if isinstance(n, str)] if isinstance(enabled, list) else [],
            {k: v for k, v in settings.items() if isinstance(v, dict)}
            if isinstance(settings, dict) else {})


def load_plugin_set(parts: ConfigParts) -> tuple[PluginSet, list[ConfigError]]:
    """The enabled plugins, or the config errors saying why they are refused."""
    app = app_part(parts)
    enabled, settings = plugins_wanted(app)
    if not enabled:
        return NO_PLUGINS, []
    found = find_plugins(search_dirs(parts.files.origin))
    plugins, problems = try_load(enabled, settings, found, BUILTIN)
    problems += _bad_bases(plugins)
    return plugins, [config_error(app, enabled, p) for p in problems]


def _bad_bases(plugins: PluginSet) -> list[PluginProblem]:
    """Field types stored as something that is not a built-in type."""
    owner = {n: m for m in plugins.manifests for n in m.provided("field_types")}
    known = ", ".join(sorted(BUILTIN["field_types"]))
    return [owner[name].problem("provides.field_types", f"field type '{name}' is stored as "
                                f"'{spec.base}', not a built-in type ({known})")
            for name, spec in plugins.field_types.items()
            if spec.base not in BUILTIN["field_types"]]


def config_error(app: Part | None, enabled: list[str], problem: PluginProblem) -> ConfigError:
    """A plugin problem as a config error: in ``app.yaml`` at its key, or in the plugin's
    own file, the path naming the plugin (``plugins.region_cn.requires.python``)."""
    if problem.file == APP_FILE and app is not None:
        keys: tuple[str | int, ...] = tuple(problem.path.split("."))
        if problem.path == "plugins.enabled" and problem.plugin in enabled:
            keys = ("plugins", "enabled", enabled.index(problem.plugin))
        file, line, _ = app.where(*keys)
        return ConfigError(file, line, f"{problem.path}", f"plugin '{problem.plugin}': "
                                                          f"{problem.message}")
    path = f"plugins.{problem.plugin}" + (f".{problem.path}" if problem.path else "")
    return ConfigError(_shown(problem.file), problem.line, path, problem.message)


def _shown(file: Path) -> Path:
    """A plugin file relative to the working directory when under it (shorter messages)."""
    try:
        return Path(os.path.relpath(file)) if file.is_absolute() and not os.path.relpath(
            file).startswith("..") else file
    except ValueError:
        return file


#: where a plugin type was read: (key path of the field in its file, the type's name)
Marks = list[tuple[tuple[str, ...], str]]


def with_plugin_types(doc: Any, types: Mapping[str, FieldTypeSpec], *, overlay: bool) -> Marks:
    """Rewrite ``type: <plugin type>`` to its storage type in an entity file's fields (or a
    unit file's entity overlays), before the shape check; ``mark_plugin_types`` puts the
    name back on the checked data (no file may write ``plugin_type`` itself)."""
    if not isinstance(doc, dict):
        return []
    holders: list[tuple[tuple[str, ...], Any]] = [(("fields",), doc.get("fields"))]
    if overlay and isinstance(doc.get("entities"), dict):
        holders = [(("entities", str(e), "fields"), o.get("fields"))
                   for e, o in doc["entities"].items() if isinstance(o, dict)]
    marks: Marks = []
    for path, fields in holders:
        for code, spec in (fields.items() if isinstance(fields, dict) else ()):
            if isinstance(spec, dict) and spec.get("type") in types:
                ftype = types[spec["type"]]
                marks.append(((*path, str(code)), ftype.name))
                spec["type"] = ftype.base
                if ftype.length and "length" not in spec:
                    spec["length"] = ftype.length
    return marks


def mark_plugin_types(data: dict[str, Any], marks: Marks) -> None:
    """Set ``plugin_type`` on each checked field spec ``with_plugin_types`` rewrote."""
    for path, name in marks:
        spec: Any = data
        for key in path:
            spec = spec.get(key) if isinstance(spec, dict) else None
        if isinstance(spec, dict):
            spec["plugin_type"] = name
