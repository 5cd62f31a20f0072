"""``renamed_from`` checks: a rename must name a code that no field of the entity has now.

Publishing pairs a field's ``renamed_from`` with the column of that name; a rename to itself,
two fields swapping names (a cycle), a rename from a field that is still declared, or two
fields renamed from the same code would move the wrong values, so they are refused here,
before any database is involved. Fields that units add share their entity's table, so they
share its names too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.parts import ConfigParts, Part


@dataclass(frozen=True, slots=True)
class _Declared:
    """One field declaration: its code, its old code, and where it is written."""

    code: str
    old: str | None
    part: Part
    at: tuple[str, ...]

    def error(self, message: str) -> ConfigError:
        return self.part.error((*self.at, "renamed_from"), message)


def check_renames(parts: ConfigParts) -> Iterator[ConfigError]:
    """Every ``renamed_from`` that cannot be a rename of a column that is going away."""
    for entity, part in parts.entities.items():
        declared = list(_declarations(parts, entity, part))
        existing = {d.code for d in declared} | set(part.broken_fields)
        renames = {d.code: d.old for d in declared if d.old}
        claimed: dict[str, str] = {}
        for field in declared:
            if not field.old:
                continue
            if field.old in claimed:
                yield field.error(f"'{field.old}' is also renamed to '{claimed[field.old]}'; "
                                  "keep one renamed_from")
            claimed.setdefault(field.old, field.code)
            if field.old == field.code:
                yield field.error("a field cannot be renamed from itself: remove renamed_from")
            elif field.old in existing:
                yield field.error(_still_there(field, renames, entity))


def _still_there(field: _Declared, renames: dict[str, str | None], entity: str) -> str:
    """A cycle (a ← b ← a) or a rename from a field that is still declared."""
    chain = [field.code, field.old or ""]
    while chain[-1] in renames and chain[-1] not in chain[:-1]:
        chain.append(renames[chain[-1]] or "")
    if chain[-1] == field.code:
        return f"renamed_from goes round in a circle (cycle: {' ← '.join(chain)})"
    return (f"'{field.old}' is still a field of '{entity}': rename from a code no field "
            "has now")


def _declarations(parts: ConfigParts, entity: str, part: Part) -> Iterator[_Declared]:
    """The entity's own fields, then the fields each unit adds to it."""
    for code, spec in part.data["fields"].items():
        yield _Declared(code, spec.get("renamed_from"), part, ("fields", code))
    for unit in parts.units.values():
        added = unit.data["entities"].get(entity, {}).get("fields", {})
        for code, spec in added.items():
            yield _Declared(code, spec.get("renamed_from"), unit,
                            ("entities", entity, "fields", code))
