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
from leadloom.metadata.files import ConfigFiles

KeyPath = tuple[str | int, ...]
#: libyaml parses about 20 times faster; the same nodes, tags and marks
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def read_document(files: ConfigFiles, name: str) -> tuple[Document | None, list[ConfigError]]:
    """Parse file ``name``; on a syntax error return no document and the error at its line."""
    display = Path(name)
    if name in files.unreadable:
        line, message = files.unreadable[name]
        return None, [ConfigError(display, line, "", message)]
    text = files.get(name) or ""
    try:
        return _parse(display, text)
    except (RecursionError, _TooDeep):  # the parsers recurse once per level
        return None, [ConfigError(display, _deep_line(text), "", TOO_DEEP)]


def _parse(display: Path, text: str) -> tuple[Document | None, list[ConfigError]]:
    try:
        node = yaml.compose(text, Loader=_FAST)
    except (yaml.YAMLError, UnicodeError) as fast:  # (libyaml's lone surrogate error)
        if "nesting depth" in str(fast):  # the pure parser would take seconds to say so
            raise _TooDeep from fast
        try:  # the pure-Python parser's words and marks are the ones the messages expect
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            return None, [_syntax_error(display, text, exc)]
    doc = Document(display, None)
    errors: list[ConfigError] = []
    if node is not None:
        doc.data = _Converter(doc, errors).convert(node, ())
        doc.lines.setdefault((), node.start_mark.line + 1)
    return doc, errors


#: no config file needs more; far deeper nesting would exhaust Python's stack
MAX_DEPTH = 100
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep: flatten it"
#: far more values than any config holds: aliases (``*a``) that repeat one another
MAX_VALUES = 200_000
TOO_MANY = f"more than {MAX_VALUES} values once aliases are expanded: write them out"


class _TooDeep(Exception):
    """libyaml gave up on the nesting: no need to ask the slower parser."""


def _deep_line(text: str) -> int | None:
    """The line where nesting first goes deeper than ``MAX_DEPTH`` (events do not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FAST):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return int(event.start_mark.line) + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return mark.line + 1 if mark else None
    return None


#: What an unfinished construct was, by PyYAML's context text: the admin looks there.
_OPENED = {
    "while parsing a flow mapping": "'{'",
    "while parsing a flow sequence": "'['",
    "while scanning a quoted scalar": "quote",
}
#: PyYAML's wording → what to change
_PROBLEMS = {
    "but found another document": "a second document starts here: keep one per file",
}


def _syntax_error(display: Path, text: str, exc: yaml.YAMLError) -> ConfigError:
    """A YAML syntax error at its line and column, phrased so the admin knows where to look:
    a bracket or quote never closed is reported where it opens, not at the end of the file."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        before = text[:exc.position]
        column = len(before) - before.rfind("\n")
        return ConfigError(display, before.count("\n") + 1, "", "YAML syntax error: character "
                           f"U+{exc.character:04X} is not allowed (column {column})")
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    problem = _PROBLEMS.get(problem, problem).replace("but got '?'", "but found the next key")
    if "'\\t'" in problem or "tab character" in problem:
        problem = "a tab character: indent with spaces only"
    if problem.startswith("expected <block end>, but found"):
        problem = "the indentation does not match the lines above"
    opened = _OPENED.get(getattr(exc, "context", None) or "")
    start = getattr(exc, "context_mark", None)
    if opened and start and ("<stream end>" in problem or "end of stream" in problem):
        mark, problem = start, f"this {opened} is never closed"
    hint = ""
    if opened and start and mark and start.line != mark.line:
        hint = f"; unclosed {opened} on line {start.line + 1}?"
    where = f" (column {mark.column + 1})" if mark else ""
    return ConfigError(display, mark.line + 1 if mark else None, "",
                       f"YAML syntax error: {problem}{where}{hint}")


class _Converter:
    """Turns a node tree into plain data, recording lines and duplicate keys on the way.

    Scalars the safe constructor refuses (a tag like ``!!python/object``, a date such as
    ``2024-13-01``) become errors or plain text here instead of escaping as exceptions.
    """

    def __init__(self, doc: Document, errors: list[ConfigError]) -> None:
        self.doc = doc
        self.errors = errors
        self.constructor = yaml.SafeLoader("")
        self.open: set[int] = set()
        self.left = MAX_VALUES

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        self.left -= 1
        if len(path) > MAX_DEPTH or self.left == 0:  # aliases can expand without end
            message = TOO_DEEP if len(path) > MAX_DEPTH else TOO_MANY
            self.errors.append(ConfigError(self.doc.file, node.start_mark.line + 1, "", message))
        if len(path) > MAX_DEPTH or self.left <= 0:
            return None
        if id(node) in self.open:
            self._error(node.start_mark.line + 1, path, "an alias refers to itself: remove it")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self._error(node.start_mark.line + 1, path,
                        f"YAML tag '{node.tag}' is not allowed: remove it")
        except ValueError:
            pass  # looks like a date but is not one: keep the text, the checks will say why
        return node.value

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._error(line, path, "YAML merge keys (<<) are not supported: write the "
                                        "keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(line, path, "mapping keys must be plain words")
                continue
            key = str(self._scalar(key_node, path))
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
