"""Business-unit overlays: what one unit changes in an entity, for its own records only.

A unit may add fields, hide fields, relabel fields and options, add or deactivate options
and reorder form sections. The table holds the union of every unit's fields; each unit gets
a *view* of the entity with just its fields, labels, options and section order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import CHOICE, FieldType
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import Entity, Field, Label, Option, UnitView

FieldMaker = Callable[[str, dict[str, Any]], Field]
Overlays = dict[str, dict[str, dict[str, Any]]]  # unit → entity → overlay data


def build_views(base: tuple[Entity, ...], overlays: Overlays,
                make_field: FieldMaker) -> tuple[tuple[Entity, ...], tuple[UnitView, ...]]:
    """The union entities (for the tables) and one view per unit, plus the no-unit view."""
    added = _unit_fields(overlays, make_field)
    union = tuple(_union(entity, added.get(entity.code, {}), overlays) for entity in base)
    views = [UnitView(None, tuple(_common_view(e) for e in union))]
    for unit, entities in overlays.items():
        views.append(UnitView(unit, tuple(_unit_view(e, unit, entities.get(e.code, {}))
                                          for e in union)))
    return union, tuple(views)


def _unit_fields(overlays: Overlays, make_field: FieldMaker) -> dict[str, dict[str, Field]]:
    """entity → field code → the field, its ``units`` the units that declare it."""
    found: dict[str, dict[str, Field]] = {}
    for unit, entities in overlays.items():
        for entity, overlay in entities.items():
            for code, spec in overlay["fields"].items():
                known = found.setdefault(entity, {}).get(code)
                units = (known.units if known and known.units else frozenset()) | {unit}
                found[entity][code] = dataclasses.replace(
                    known or make_field(code, spec), units=frozenset(units))
    return found


def _union(entity: Entity, unit_fields: dict[str, Field], overlays: Overlays) -> Entity:
    """Every field of every unit; options any unit adds are known here but not choosable."""
    extra_options: dict[str, list[Option]] = {}
    for entities in overlays.values():
        for code, spec in entities.get(entity.code, {}).get("options", {}).items():
            extra_options.setdefault(code, []).extend(
                Option(str(o["code"]), Label(o["zh"], o["en"]), False) for o in spec["add"])
    fields = []
    for f in (*entity.fields, *unit_fields.values()):
        more = [o for o in extra_options.get(f.code, []) if f.option(o.code) is None]
        unique = {o.code: o for o in more}
        fields.append(dataclasses.replace(f, options=f.options + tuple(unique.values())))
    return dataclasses.replace(entity, fields=tuple(fields))


def _common_view(entity: Entity) -> Entity:
    return dataclasses.replace(entity, fields=tuple(f for f in entity.fields if f.units is None))


def _unit_view(entity: Entity, unit: str, overlay: dict[str, Any]) -> Entity:
    hidden = set(overlay.get("hide", []))
    labels = overlay.get("labels", {})
    options = overlay.get("options", {})
    fields = []
    for f in entity.fields:
        if f.code in hidden or (f.units is not None and unit not in f.units):
            continue
        if f.code in labels:
            f = dataclasses.replace(f, label=Label(labels[f.code]["zh"], labels[f.code]["en"]))
        if f.code in options:
            f = dataclasses.replace(f, options=_unit_options(f, options[f.code]))
        fields.append(f)
    order = overlay.get("sections", [])
    sections = sorted(entity.sections, key=lambda s: (
        order.index(s.code) if s.code in order else len(order)))
    return dataclasses.replace(entity, fields=tuple(fields), sections=tuple(sections))


def _unit_options(f: Field, spec: dict[str, Any]) -> tuple[Option, ...]:
    added = {str(o["code"]) for o in spec["add"]}
    off = {str(c) for c in spec["deactivate"]}
    relabel = spec["labels"]
    result = []
    for option in f.options:
        active = option.code in added or (option.active and option.code not in off)
        label = Label(relabel[option.code]["zh"], relabel[option.code]["en"]) if (
            option.code in relabel) else option.label
        result.append(Option(option.code, label, active))
    return tuple(result)


# ---- checks ------------------------------------------------------------------------------

def check_overlays(parts: ConfigParts, check_field: Callable[..., Iterator[ConfigError]],
                   option_sets: dict[str, list[dict[str, Any]]]) -> Iterator[ConfigError]:
    """Every problem in the units' ``entities:`` overlays."""
    declared: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for unit, part in sorted(parts.units.items()):
        for code, overlay in part.data["entities"].items():
            at = ("entities", code)
            entity = parts.entities.get(code)
            if entity is None:
                if code not in parts.broken_entities:
                    known = ", ".join(sorted(parts.entities))
                    yield part.error(at, f"unknown entity '{code}' (known: {known})")
                continue
            if not entity.broken_fields:  # else its field names wait for the entity's
                yield from _check_overlay(parts, part, at, entity, overlay, check_field,
                                          option_sets)
            for fcode, spec in overlay["fields"].items():
                yield from _conflict(part, (*at, "fields", fcode), declared, unit,
                                     (code, fcode), spec)


def _check_overlay(parts: ConfigParts, part: Part, at: tuple[str, ...], entity: Part,
                   overlay: dict[str, Any], check_field: Callable[..., Iterator[ConfigError]],
                   option_sets: dict[str, list[dict[str, Any]]]) -> Iterator[ConfigError]:
    base = entity.data["fields"]
    sections = [s["code"] for s in entity.data["sections"]]
    for fcode, spec in overlay["fields"].items():
        if fcode in base:
            yield part.error((*at, "fields", fcode), f"'{fcode}' is already a field of "
                                                     f"'{at[1]}': relabel it under labels:")
        else:
            yield from check_field(parts, part, fcode, spec, sections, option_sets,
                                   at=(*at, "fields", fcode))
    own = {**base, **overlay["fields"]}
    for i, fcode in enumerate(overlay["hide"]):
        if fcode not in own:
            yield part.error((*at, "hide", i), _unknown_field(fcode, own))
        elif base.get(fcode, {}).get("required") and "default" not in base[fcode]:
            yield part.error((*at, "hide", i), f"'{fcode}' is required: give it a default "
                                               "before hiding it")
    for fcode in overlay["labels"]:
        if fcode not in own:
            yield part.error((*at, "labels", fcode), _unknown_field(fcode, own))
        elif fcode in overlay["hide"]:
            yield part.error((*at, "labels", fcode), f"'{fcode}' is hidden in this unit: "
                                                     "relabel or hide, not both")
    for fcode, spec in overlay["options"].items():
        yield from _check_options(part, (*at, "options", fcode), fcode, own, spec, option_sets)
    for i, scode in enumerate(overlay["sections"]):
        if scode not in sections:
            yield part.error((*at, "sections", i), f"unknown section '{scode}' (known: "
                                                   f"{', '.join(sections) or 'none'})")
        elif overlay["sections"].index(scode) != i:
            yield part.error((*at, "sections", i), f"section '{scode}' is listed twice")


def _check_options(part: Part, at: tuple[str, ...], fcode: str, own: dict[str, Any],
                   spec: dict[str, Any], option_sets: dict[str, list[dict[str, Any]]]
                   ) -> Iterator[ConfigError]:
    if fcode not in own:
        yield part.error(at, _unknown_field(fcode, own))
        return
    if FieldType(own[fcode]["type"]) not in CHOICE:
        yield part.error(at, f"'{fcode}' has no options: it is a {own[fcode]['type']} field")
        return
    raw = own[fcode].get("options")
    existing = [o for o in (option_sets.get(raw, []) if isinstance(raw, str) else raw or [])
                if isinstance(o, dict) and "code" in o]
    codes = {str(o["code"]) for o in existing}
    added = [str(o["code"]) for o in spec["add"]]
    for i, code in enumerate(added):
        if code in codes or added.index(code) != i:
            yield part.error((*at, "add", i, "code"), f"option '{code}' already exists")
    for i, code in enumerate(spec["deactivate"]):
        if str(code) not in codes:
            yield part.error((*at, "deactivate", i), f"unknown option '{code}' (known: "
                                                     f"{', '.join(sorted(codes))})")
    for code in spec["labels"]:
        if code in added:
            yield part.error((*at, "labels", code), f"option '{code}' is added here: give "
                                                    "its labels under add:")
        elif code not in codes:
            yield part.error((*at, "labels", code), f"unknown option '{code}' (known: "
                                                    f"{', '.join(sorted(codes))})")


def _conflict(part: Part, at: tuple[str, ...], declared: dict[Any, Any], unit: str,
              key: tuple[str, str], spec: dict[str, Any]) -> Iterator[ConfigError]:
    """Two units may add the same field only with the same definition: it is one column."""
    if key in declared:
        other_unit, other = declared[key]
        for attribute in ("type", "length", "to", "options"):
            if spec.get(attribute) != other.get(attribute):
                yield part.error(at, f"'{key[1]}' differs from unit '{other_unit}' in "
                                     f"'{attribute}': one column, one definition")
                return
    else:
        declared[key] = (unit, spec)


def _unknown_field(code: str, known: dict[str, Any]) -> str:
    return f"unknown field '{code}' (known: {', '.join(known)})"
