"""The YAML corpus: every kind of file of the shipped config (``config/``), broken as a file
(syntax, tabs, empty, a list, a scalar, a duplicate key, not UTF-8 ...), gives exactly one
``file:line: path: message`` line for that file and nothing else: no crash, and no echo in
the files that refer to it (``leads.yaml`` and the funnels refer to entity ``lead``).

A case is data: how the text changes, and the line and message it must give, computed from
the original file (``n`` is its number of lines, so ``n + 1`` is an appended line).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.files import ConfigFiles
from leadloom.metadata.source import read_document

CONFIG = Path(__file__).resolve().parents[3] / "config"

#: file → the config path its errors are reported under
FILES = {
    "entities/lead.yaml": "entities.lead",
    "units/east.yaml": "units.east",
    "funnels/sales.yaml": "funnels.sales",
    "workflows/discount.yaml": "workflows.discount",
    "reports/weekly_funnel.yaml": "reports.weekly_funnel",
    "roles.yaml": "",
    "app.yaml": "",
    "options.yaml": "",
    "leads.yaml": "leads",
}


@dataclass(frozen=True)
class Break:
    id: str
    #: original text → new content (bytes for an encoding problem)
    edit: Callable[[str], str | bytes]
    #: the original text → (line, message)
    expect: Callable[[str], tuple[int, str]]


def syntax(message: str) -> str:
    return f"YAML syntax error: {message}"


EMPTY = "the file is empty: fill it in"
NOT_A_MAPPING = "the file must hold 'key: value' lines, not a list or a value"

BREAKS = [
    Break("mapping-values", lambda t: t + "broken: a: b\n",
          lambda t: (n(t) + 1, syntax("mapping values are not allowed here (column 10)"))),
    Break("unclosed-bracket", lambda t: t + "broken: [1, 2\n",
          lambda t: (n(t) + 1, syntax("this '[' is never closed (column 9)"))),
    Break("unclosed-brace-mid-file", lambda t: "broken: {a: 1\n" + t,
          lambda t: (2 + key_line(t), syntax("expected ',' or '}', but found the next key "
                                             "(column 1); unclosed '{' on line 1?"))),
    Break("unclosed-quote", lambda t: t + 'broken: "abc\n',
          lambda t: (n(t) + 1, syntax("this quote is never closed (column 9)"))),
    Break("tab", lambda t: t + "broken:\n\tkey: 1\n",
          lambda t: (n(t) + 2, syntax("a tab character: indent with spaces only (column 1)"))),
    Break("second-document", lambda t: t + "---\nbroken: 1\n",
          lambda t: (n(t) + 1, syntax("a second document starts here: keep one per file "
                                      "(column 1)"))),
    Break("nul-character", lambda t: t + "broken: a\x00b\n",
          lambda t: (n(t) + 1, syntax("character U+0000 is not allowed (column 10)"))),
    Break("nested-too-deep", lambda t: t + "broken: " + "[" * 5000 + "]" * 5000 + "\n",
          lambda t: (n(t) + 1, "nested more than 100 levels deep: flatten it")),
    Break("not-utf8", lambda t: t.encode() + "# 备注\n".encode("gbk"),
          lambda t: (n(t) + 1, "not UTF-8 text: save the file as UTF-8")),
    Break("empty", lambda t: "", lambda t: (1, EMPTY)),
    Break("comment-only", lambda t: "# nothing yet\n", lambda t: (1, EMPTY)),
    Break("a-list", lambda t: "- a\n- b\n", lambda t: (1, NOT_A_MAPPING)),
    Break("a-scalar", lambda t: "just some text\n", lambda t: (1, NOT_A_MAPPING)),
    Break("duplicate-key", lambda t: t + f"{first_key(t)}: again\n",
          lambda t: (n(t) + 1, f"duplicate key '{first_key(t)}'")),
]


def n(text: str) -> int:
    """The number of lines: an appended line is line ``n + 1``."""
    return len(text.splitlines())


def key_line(text: str) -> int:
    """The index of the first top-level key's line."""
    return next(i for i, line in enumerate(text.splitlines()) if line[:1].isalpha())


def first_key(text: str) -> str:
    return text.splitlines()[key_line(text)].split(":")[0]


def expected(name: str, case: Break, text: str) -> str:
    line, message = case.expect(text)
    prefix = FILES[name]
    if message == EMPTY and prefix:
        message += " or delete it"
    path = ".".join(p for p in (prefix, first_key(text) if case.id == "duplicate-key" else "")
                    if p)
    return f"{name}:{line}: {path + ': ' if path else ''}{message}"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-yaml") / "config"
    shutil.copytree(CONFIG, root, ignore=shutil.ignore_patterns(".schema"))
    return root


def matrix() -> list[object]:
    """Every file × every break; the default run takes every break of lead.yaml (the file
    of the report) and one break of each other file, the rest is marked slow."""
    return [pytest.param(name, case, id=f"{name}-{case.id}",
                         marks=() if name == "entities/lead.yaml" or case is BREAKS[0]
                         else pytest.mark.slow)
            for name in FILES for case in BREAKS]


@pytest.mark.parametrize(("name", "case"), matrix())
def test_broken_file_gives_one_line_for_that_file(config: Path, name: str,
                                                  case: Break) -> None:
    path = config / name
    original = path.read_text(encoding="utf-8")
    assert original.endswith("\n")
    content = case.edit(original)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    try:
        with pytest.raises(ConfigInvalid) as raised:
            load_registry(config)
    finally:
        path.write_text(original, encoding="utf-8")
    assert [str(e) for e in raised.value.errors] == [expected(name, case, original)]


def test_the_shipped_config_loads(config: Path) -> None:
    """The corpus starts from a valid config, so each case's line is its own doing."""
    assert load_registry(config).entities


@pytest.mark.parametrize(("name", "field", "line"), [
    ("entities/lead.yaml", "stage", 62), ("entities/lead.yaml", "status", 53),
    ("entities/lead.yaml", "expected_amount", 65), ("entities/contract.yaml", "finance_status", 21),
])
def test_a_broken_field_is_reported_once(config: Path, name: str, field: str,
                                         line: int) -> None:
    """Funnels, workflows, units and the lead rules name these fields: they wait for the
    field to load instead of calling it unknown."""
    path = config / name
    original = path.read_text(encoding="utf-8")
    old = original.splitlines()[line - 1]
    assert old.startswith(f"  {field}: {{type: ")
    broken = old.replace("type: ", "type: bogus_", 1)
    path.write_text(original.replace(old, broken), encoding="utf-8")
    try:
        with pytest.raises(ConfigInvalid) as raised:
            load_registry(config)
    finally:
        path.write_text(original, encoding="utf-8")
    errors = [str(e) for e in raised.value.errors]
    assert len(errors) == 1 and errors[0].startswith(
        f"{name}:{line}: {FILES.get(name, 'entities.' + Path(name).stem)}.fields.{field}.type: "
        "unknown type 'bogus_"), errors


def test_aliases_that_expand_without_end_are_cut_short() -> None:
    """Nine aliases of nine aliases ... would build 9**9 values (a "billion laughs")."""
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    _, errors = read_document(ConfigFiles({"app.yaml": text}), "app.yaml")
    assert [e.message for e in errors] == [
        "more than 200000 values once aliases are expanded: write them out"]
