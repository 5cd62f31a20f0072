"""Checks of an entity's shared list views: their filters and sort name real fields and
their filter texts fit those fields (the grammar of ``metadata.list_filters``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from leadloom.metadata.build import field_from_spec, options_of
from leadloom.metadata.errors import ConfigError
from leadloom.metadata.list_filters import CREATED_AT, OWNER, FilterProblem, parse
from leadloom.metadata.parts import Part
from leadloom.metadata.registry import Field


def check_list_views(part: Part, option_sets: dict[str, list[dict[str, Any]]]
                     ) -> Iterator[ConfigError]:
    data = part.data
    fields = _fields(data, option_sets)
    seen: set[str] = set()
    for i, view in enumerate(data["views"]):
        if view["code"] in seen:
            yield part.error(("views", i, "code"), f"duplicate code '{view['code']}'")
        seen.add(view["code"])
        for code, text in view["filter"].items():
            where = ("views", i, "filter", code)
            if code not in fields:
                if code not in (*data["fields"], *part.broken_fields):  # a broken one has its error
                    yield part.error(where, f"unknown field '{code}' (known: "
                                            f"{', '.join(sorted(fields))})")
                continue
            try:
                parse(fields[code], text)
            except FilterProblem as problem:
                yield part.error(where, str(problem.message))
        sort = view.get("sort")
        if sort and sort.lstrip("-") not in (*fields, *data["fields"], *part.broken_fields):
            yield part.error(("views", i, "sort"), f"unknown field '{sort.lstrip('-')}'")


def _fields(data: dict[str, Any], option_sets: dict[str, list[dict[str, Any]]]
            ) -> dict[str, Field]:
    """The entity's fields that build (a broken field has its own error already)."""
    named = {code: options_of(items) for code, items in option_sets.items()}
    found: dict[str, Field] = {"created_at": CREATED_AT}
    if data.get("owned", True):
        found["owner"] = OWNER
    for code, spec in data["fields"].items():
        try:
            found[code] = field_from_spec(code, spec, named)
        except (KeyError, ValueError, TypeError, ArithmeticError):
            continue
    return found
