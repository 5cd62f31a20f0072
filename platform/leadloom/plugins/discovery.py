"""Where plugins are found: folders with a ``plugin.yaml``, and installed packages that
declare an entry point in the group ``leadloom.plugins`` (their module's folder holds the
manifest). Finding reads manifests only; nothing is imported until a plugin is enabled."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from leadloom.plugins.errors import PluginProblem
from leadloom.plugins.manifest import MANIFEST, Manifest, read_manifest

ENTRY_POINT_GROUP = "leadloom.plugins"
DIRS_ENV = "LEADLOOM_PLUGINS_DIR"


@dataclass(frozen=True, slots=True)
class Found:
    """One plugin on disk: its manifest (None when broken) and how to import it."""

    folder: Path
    manifest: Manifest | None
    problems: tuple[PluginProblem, ...] = ()
    #: the module to import for an installed package; None: ``<folder>/<module>.py``
    module: str | None = None
    source: str = field(default="folder")

    @property
    def name(self) -> str:
        return self.manifest.name if self.manifest else self.folder.name


def search_dirs(config_origin: str | None) -> list[Path]:
    """``LEADLOOM_PLUGINS_DIR`` (paths separated like PATH) when set; else ``plugins/``
    beside the config folder (for a stored version: ``LEADLOOM_CONFIG_DIR``, default
    ``config``) and in the working directory."""
    if os.environ.get(DIRS_ENV):
        return [Path(p) for p in os.environ[DIRS_ENV].split(os.pathsep) if p]
    folder = config_origin if config_origin and Path(config_origin).is_dir() else \
        os.environ.get("LEADLOOM_CONFIG_DIR") or "config"
    return list(dict.fromkeys([Path(folder).resolve().parent / "plugins",
                               Path("plugins").resolve()]))


def find_plugins(dirs: list[Path], *, installed: bool = True) -> list[Found]:
    """Every plugin in ``dirs`` (one folder each) and, with ``installed``, every entry point."""
    found = [_read(sub, None, "folder") for d in dirs if d.is_dir()
             for sub in sorted(d.iterdir()) if (sub / MANIFEST).is_file()]
    if installed:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            spec = importlib.util.find_spec(ep.module)
            if spec is not None and spec.origin:
                found.append(_read(Path(spec.origin).parent, ep.module, f"package {ep.name}"))
    return found


def _read(folder: Path, module: str | None, source: str) -> Found:
    manifest, problems = read_manifest(folder)
    return Found(folder, manifest, tuple(problems), module, source)
