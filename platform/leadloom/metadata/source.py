"""YAML documents that remember the line of every key, so errors can point at it.

PyYAML's composer keeps a start mark on every node; we walk the node tree once and build
plain Python data plus a map from the key path to the line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from leadloom.metadata.errors import ConfigError

KeyPath = tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    """One config file: its data, where each key stands, and the path prefix it lives under."""

    file: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def read_document(file: Path, display: Path) -> tuple[Document | None, list[ConfigError]]:
    """Parse ``file``; on a syntax error return no document and the error at its line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigError(display, None, "", f"cannot read file: {exc}")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ConfigError(display, line, "", f"YAML syntax error: {problem}")]
    doc = Document(display, None)
    errors: list[ConfigError] = []
    if node is not None:
        doc.data = _Converter(doc, errors).convert(node, ())
        doc.lines.setdefault((), node.start_mark.line + 1)
    return doc, errors


class _Converter:
    """Turns a node tree into plain data, recording lines and duplicate keys on the way."""

    def __init__(self, doc: Document, errors: list[ConfigError]) -> None:
        self.doc = doc
        self.errors = errors
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(line, path, "mapping keys must be plain words")
                continue
            key = str(self.constructor.construct_object(key_node))
            if key in result:
                self._error(line, (*path, key), f"duplicate key '{key}'")
                continue
            self.doc.lines[(*path, key)] = line
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _error(self, line: int, path: KeyPath, message: str) -> None:
        self.errors.append(ConfigError(self.doc.file, line, _dotted(path), message))


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)
