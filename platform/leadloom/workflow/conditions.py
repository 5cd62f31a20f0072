"""Conditions of the config (``when:`` of moves and triggers), compiled once per registry.

The config checks already compiled every condition, so compiling here cannot fail for a
loaded registry; evaluating sees the record's values by field code (``owner`` too), as
after the write, and both sides of the write as ``old.<field>`` and ``new.<field>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadloom.metadata.field_types import CHOICE
from leadloom.metadata.registry import Registry
from leadloom.rules import Expression, WorkCalendar, compile_expression, side_values, with_sides
from leadloom.rules.calendar import DEFAULT_CALENDAR


class Conditions:
    """Compiled conditions of one registry, by entity and text."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._compiled: dict[tuple[str, str], Expression] = {}

    def compile(self, entity: str, text: str) -> Expression:
        key = (entity, text)
        found = self._compiled.get(key)
        if found is None:
            union = self.registry.entity(entity)
            types = {f.code: str(f.type) for f in union.fields}
            if union.owned:
                types["owner"] = "user"
            options = {f.code: [o.code for o in f.options] for f in union.fields
                       if f.type in CHOICE}
            found = self._compiled[key] = compile_expression(
                text, with_sides(types), options=options, calendar=_calendar(self.registry),
                functions=self.registry.plugins.functions)
        return found

    def holds(self, entity: str, text: str | None, values: Mapping[str, Any],
              before: Mapping[str, Any] | None = None) -> bool:
        """Whether condition ``text`` holds for ``values`` (the record as after the write)
        and ``before`` (as stored; None: a new record); no condition always holds."""
        if text is None:
            return True
        return self.compile(entity, text).test(side_values(before or {}, values))


def _calendar(registry: Registry) -> WorkCalendar:
    """The working-day calendar in the app's time zone."""
    if registry.app.timezone == DEFAULT_CALENDAR.timezone:
        return DEFAULT_CALENDAR
    return WorkCalendar(timezone=registry.app.timezone)


def conditions_for(registry: Registry) -> Conditions:
    """The compiled conditions of ``registry``, kept for as long as the registry lives."""
    cached = _CACHE.get(id(registry))
    if cached is not None and cached.registry is registry:
        return cached
    if len(_CACHE) > 64:
        _CACHE.clear()
    cached = _CACHE[id(registry)] = Conditions(registry)
    return cached


_CACHE: dict[int, Conditions] = {}
