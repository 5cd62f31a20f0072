"""The config as a set of named texts: read from a folder, or from a stored version.

Everything downstream (parsing, checks, the Registry) works on ``ConfigFiles``, so a
published snapshot in the database loads exactly like the folder it was published from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The folders and files a config is made of; other files in the folder are ignored.
PATTERNS = ("*.yaml", "*.yml", "*/*.yaml", "*/*.yml")


@dataclass(frozen=True, slots=True)
class ConfigFiles:
    """Relative POSIX path → text. ``unreadable`` holds files that are not UTF-8 text: the
    line of the first bad byte (if known) and what to do."""

    texts: Mapping[str, str]
    unreadable: Mapping[str, tuple[int | None, str]] = field(default_factory=dict)
    #: where the files came from, for messages ("config", "version 3")
    origin: str = "config"

    def get(self, name: str) -> str | None:
        return self.texts.get(name)

    def exists(self, name: str) -> bool:
        return name in self.texts or name in self.unreadable

    def names_in(self, folder: str) -> list[str]:
        """Sorted YAML file names directly inside ``folder`` (e.g. ``entities``)."""
        every = sorted({*self.texts, *self.unreadable})
        return [n for n in every
                if n.rpartition("/")[0] == folder and n.endswith((".yaml", ".yml"))]

    def with_text(self, name: str, text: str) -> ConfigFiles:
        """A copy with one file replaced (or added)."""
        return ConfigFiles({**self.texts, name: text}, self.unreadable, self.origin)


def read_folder(root: Path | str) -> ConfigFiles:
    """Every config file below ``root`` (one folder level deep)."""
    root = Path(root)
    texts: dict[str, str] = {}
    unreadable: dict[str, tuple[int | None, str]] = {}
    if not root.is_dir():
        return ConfigFiles({}, {}, origin=f"missing:{root}")
    for pattern in PATTERNS:
        for path in root.glob(pattern):
            name = path.relative_to(root).as_posix()
            try:
                texts[name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                line = exc.object[:exc.start].count(b"\n") + 1
                unreadable[name] = (line, "not UTF-8 text: save the file as UTF-8")
            except OSError as exc:
                unreadable[name] = (None, f"cannot read file: {exc.strerror}")
    return ConfigFiles(dict(sorted(texts.items())), unreadable, origin=str(root))
