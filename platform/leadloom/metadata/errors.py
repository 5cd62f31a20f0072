"""The one error type of the config layer, and the exception that carries a batch of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class ConfigError:
    """One problem in the config: where it is and what to change.

    ``path`` is the config path (``entities.lead.fields.budget.type``); ``message`` says what
    is wrong in a way that tells the admin what to do. A problem with a whole top-level file
    (``app.yaml`` missing, a syntax error in it) has no path and prints without one.
    """

    file: Path
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        path = f"{self.path}: " if self.path else ""
        return f"{where}: {path}{self.message}"


class ConfigInvalid(Exception):
    """Raised once with every problem found, never at the first one."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (str(e.file), e.line or 0, e.path))
        super().__init__("\n".join(str(e) for e in self.errors))
