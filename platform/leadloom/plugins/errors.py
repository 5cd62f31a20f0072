"""The one problem type of the plugin layer: where (file, line), which plugin, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class PluginProblem:
    """Why a plugin is refused: the file and line to look at, and what to change.

    ``path`` says which key or hook (``provides.field_types``, ``requires.python``); the
    config layer turns each problem into a ``ConfigError`` so ``leadloom check`` and the app
    start print it like any other config error.
    """

    plugin: str
    file: Path
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        path = f"{self.path}: " if self.path else ""
        return f"{where}: {path}plugin '{self.plugin}': {self.message}"


class PluginsRefused(Exception):
    """Raised once with every problem of every enabled plugin: nothing half-loads."""

    def __init__(self, problems: list[PluginProblem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.plugin, str(p.file), p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))
