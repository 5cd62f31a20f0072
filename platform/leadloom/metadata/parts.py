"""Validated config files, before cross-checks: the input of ``checks`` and ``build``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.files import ConfigFiles
from leadloom.metadata.source import Document, KeyPath
from leadloom.plugins import NO_PLUGINS, PluginSet


@dataclass(slots=True)
class Part:
    """One loaded file: its validated data and where its keys sit in the config tree."""

    doc: Document
    prefix: KeyPath
    data: dict[str, Any]
    #: fields left out of ``data`` because their own shape is wrong (already reported):
    #: references to them are not reported again.
    broken_fields: frozenset[str] = frozenset()

    def where(self, *path: str | int) -> tuple[Path, int | None, str]:
        """File, line and dotted config path of a key inside this file."""
        dotted = ".".join(str(p) for p in (*self.prefix, *path))
        return self.doc.file, self.doc.line(tuple(path)), dotted

    def error(self, path: tuple[str | int, ...], message: str) -> ConfigError:
        file, line, dotted = self.where(*path)
        return ConfigError(file, line, dotted, message)


@dataclass(slots=True)
class ConfigParts:
    """Every file of a config folder, validated for shape; the input of checks and build."""

    files: ConfigFiles
    app: Part | None = None
    options: Part | None = None
    roles: Part | None = None
    entities: dict[str, Part] = field(default_factory=dict)
    units: dict[str, Part] = field(default_factory=dict)
    #: report files (``reports/<name>.yaml``), by name
    reports: dict[str, Part] = field(default_factory=dict)
    #: funnel files (``funnels/<name>.yaml``), by name
    funnels: dict[str, Part] = field(default_factory=dict)
    #: workflow files (``workflows/<name>.yaml``), by name
    workflows: dict[str, Part] = field(default_factory=dict)
    #: intake forms (``intake/<form>.yaml``), by name
    intake: dict[str, Part] = field(default_factory=dict)
    #: ``leads.yaml``: the lead life-cycle rules (optional)
    leads: Part | None = None
    #: entities whose file is broken: references to them are not reported again.
    broken_entities: set[str] = field(default_factory=set)
    #: units whose file is broken: references to them (and their teams) are not reported.
    broken_units: set[str] = field(default_factory=set)
    #: options.yaml exists but is broken: option set names are not reported as unknown.
    options_broken: bool = False
    #: the plugins ``app.yaml`` enables (loaded right after it is read)
    plugins: PluginSet = NO_PLUGINS
