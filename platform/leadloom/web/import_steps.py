"""What the import wizard's forms ask and answer: the choices of step 1 (preset, duplicates,
money unit) and the column mapping of step 2, read from a posted form and checked, each
problem a message for the page in the user's language.

Pure functions of the form and the file's headers: the routes (``web.import_pages``) read
the request and call ``leadloom.imports``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label

#: the preset choice "a saved mapping" is ``saved:<name>``
SAVED = "saved:"
#: a column not imported (step 2's first option)
SKIP_COLUMN = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice on the page, with the line that explains it."""

    value: str
    label: Message | Label | str
    help: Message | str | None = None


DUPLICATES = (
    Choice("skip", Message("Skip duplicates"), Message(
        "A row that matches an existing record, or an earlier row of the file, is not "
        "imported; the error file lists it with the record it matches.")),
    Choice("flag", Message("Flag and create"), Message(
        "The row is created anyway and marked as a possible duplicate for someone to check.")),
    Choice("update", Message("Update the existing record"), Message(
        "The record it matches is updated with the row's values, where you may edit it; "
        "otherwise the row is skipped.")),
)
MONEY_UNITS = (
    Choice("", Message("As each field is entered")),
    Choice("yuan", Message("CNY (元)")),
    Choice("wan", Message("10k CNY (万)")),
)
NO_FILE = Message("Choose a CSV or XLSX file to import.")
NO_ROWS = Message("The file has headers but no rows to import.")
BAD_CHOICE = Message("Choose one of the options offered.")
NOTHING_MAPPED = Message("Pick at least one column to import.")


def first_choices(form: Mapping[str, str], presets: Sequence[Choice],
                  duplicates: Sequence[Choice]) -> tuple[dict[str, str], list[Message]]:
    """Step 1's choices from ``form`` (preset, on_duplicate, money_unit), each one checked
    against the options the page offered."""
    offered = {"preset": [c.value for c in presets],
               "on_duplicate": [c.value for c in duplicates],
               "money_unit": [c.value for c in MONEY_UNITS]}
    defaults = {"preset": "", "on_duplicate": "skip", "money_unit": ""}
    chosen = {key: form.get(key, defaults[key]) or defaults[key] for key in offered}
    bad = [key for key, value in chosen.items() if value not in offered[key]]
    return chosen, [BAD_CHOICE] if bad else []


def posted_mapping(form: Mapping[str, str], headers: Sequence[str],
                   fields: Sequence[Any]) -> tuple[dict[str, str | None], list[Message]]:
    """Step 2's mapping, header → field code (None: not imported), from the selects
    ``col-<i>``; the problems: a required field no column holds, a field chosen twice."""
    known = {f.code for f in fields}
    mapping: dict[str, str | None] = {}
    for index, header in enumerate(headers):
        code = form.get(f"col-{index}", SKIP_COLUMN)
        mapping[header] = code if code in known else None
    chosen = [c for c in mapping.values() if c]
    problems = [Message("\"%(field)s\" is chosen for more than one column: keep it for one.",
                        field=f.label) for f in fields if chosen.count(f.code) > 1]
    problems += [Message("Required field \"%(field)s\" has no column: pick the column that "
                         "holds it.", field=f.label)
                 for f in fields if f.required and f.code not in chosen]
    if not chosen:
        problems.append(NOTHING_MAPPED)
    return mapping, problems


def samples(headers: Sequence[str], rows: Sequence[Sequence[Any]], most: int = 20
            ) -> list[str]:
    """A value of each column to show beside its header: the first non-empty one among
    the first ``most`` rows."""
    found = [""] * len(headers)
    for row in rows[:most]:
        for index, value in enumerate(row[:len(headers)]):
            if not found[index] and value not in (None, ""):
                found[index] = str(value)
    return found

