"""Cross-file checks: what the shape of a single file cannot tell.

Each check is a small named function that yields ``ConfigError``s; ``check_config`` runs them
all and returns every problem together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import CHOICE, NUMERIC, TEXTUAL, TYPE_OPTIONS, FieldType
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.schema import OptionSchema

RESERVED_FIELDS = frozenset({
    "id", "owner", "owner_id", "unit", "team", "version", "extra", "created_at", "created_by",
    "created_by_id", "updated_at", "updated_by", "updated_by_id",
})
RESERVED_ENTITIES = frozenset({"user", "role", "permission", "session"})
COMMON_KEYS = frozenset({"type", "zh", "en", "required", "unique", "default", "help", "section",
                         "list", "search", "filter", "index"})
TAG_ENTITY = "tag"


def check_config(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem in ``parts``."""
    errors: list[ConfigError] = []
    menus = _menu_codes(parts)
    option_sets = _option_sets(parts)
    errors += _check_option_sets(parts)
    for code, part in parts.entities.items():
        errors += _check_entity(parts, code, part, menus, option_sets)
    errors += _check_roles(parts)
    errors += _check_units(parts)
    errors += _check_menus(parts)
    return errors


def _menu_codes(parts: ConfigParts) -> set[str]:
    return {m["code"] for m in parts.app.data["menus"]} if parts.app else set()


def _option_sets(parts: ConfigParts) -> dict[str, list[dict[str, Any]]]:
    if not parts.options:
        return {}
    return {code: s["options"] for code, s in parts.options.data["option_sets"].items()}


def _check_option_sets(parts: ConfigParts) -> Iterator[ConfigError]:
    for code, options in _option_sets(parts).items():
        yield from _duplicate_codes(parts.options, ("option_sets", code, "options"), options)


def _check_menus(parts: ConfigParts) -> Iterator[ConfigError]:
    if parts.app:
        yield from _duplicate_codes(parts.app, ("menus",), parts.app.data["menus"])


def _duplicate_codes(part: Part | None, path: tuple[str | int, ...],
                     items: list[dict[str, Any]]) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        code = str(item["code"])
        if code in seen:
            yield part.error((*path, i, "code"), f"duplicate code '{code}'")
        seen.add(code)


def _check_entity(parts: ConfigParts, code: str, part: Part, menus: set[str],
                  option_sets: dict[str, list[dict[str, Any]]]) -> Iterator[ConfigError]:
    data = part.data
    if code in RESERVED_ENTITIES or code.startswith(("ab_", "ll_")):
        yield part.error(("entity",), f"'{code}' is reserved; choose another entity code")
    if parts.app and data["menu"] not in menus:
        yield part.error(("menu",), f"unknown menu '{data['menu']}' (known: "
                                    f"{', '.join(sorted(menus))})")
    sections = [s["code"] for s in data["sections"]]
    yield from _duplicate_codes(part, ("sections",), data["sections"])
    fields = data["fields"]
    title = data.get("title_field")
    if title is not None and title not in fields:
        yield part.error(("title_field",), f"unknown field '{title}'")
    elif title is not None and FieldType(fields[title]["type"]) not in TEXTUAL:
        yield part.error(("title_field",), "the title field must be a text field")
    yield from _column_clashes(part, fields)
    for fcode, spec in fields.items():
        yield from _check_field(parts, part, fcode, spec, sections, option_sets)
    if "seed" in data:
        yield from _check_seed(part, data["seed"], fields)


def _column_clashes(part: Part, fields: dict[str, Any]) -> Iterator[ConfigError]:
    columns: dict[str, str] = {}
    for fcode, spec in fields.items():
        if fcode in RESERVED_FIELDS:
            yield part.error(("fields", fcode), f"'{fcode}' is a system field; rename it")
        column = f"{fcode}_id" if spec["type"] in ("reference", "user") else fcode
        if column in columns:
            yield part.error(("fields", fcode),
                             f"column '{column}' clashes with field '{columns[column]}'")
        columns[column] = fcode


def _check_field(parts: ConfigParts, part: Part, fcode: str, spec: dict[str, Any],
                 sections: list[str], option_sets: dict[str, list[dict[str, Any]]]
                 ) -> Iterator[ConfigError]:
    ftype = FieldType(spec["type"])
    at = ("fields", fcode)
    allowed = COMMON_KEYS | TYPE_OPTIONS[ftype]
    for key in spec:
        if key not in allowed:
            yield part.error((*at, key), f"'{key}' does not apply to type '{ftype}'")
    if "section" in spec and spec["section"] not in sections:
        yield part.error((*at, "section"), f"unknown section '{spec['section']}'")
    options: list[dict[str, Any]] = []
    if ftype in CHOICE:
        options = yield from _choice_options(part, at, spec, option_sets)
    if ftype is FieldType.REFERENCE:
        yield from _reference_target(parts, part, at, spec)
    if ftype is FieldType.TAGS:
        yield from _tag_group(parts, part, at, spec)
    if ftype in (FieldType.TAGS, FieldType.MULTI_ENUM, FieldType.BOOLEAN, FieldType.TEXT):
        for flag in ("unique", "index"):
            if spec.get(flag):
                yield part.error((*at, flag), f"'{flag}' does not work on type '{ftype}'")
    if spec.get("search") and ftype not in TEXTUAL:
        yield part.error((*at, "search"), "search works on text fields only; use filter")
    yield from _bounds(part, at, ftype, spec)
    if spec.get("default") is not None:
        problem = default_problem(ftype, spec["default"], options, spec)
        if problem:
            yield part.error((*at, "default"), problem)


def _choice_options(part: Part, at: tuple[str, ...], spec: dict[str, Any],
                    option_sets: dict[str, list[dict[str, Any]]]
                    ) -> Iterator[ConfigError]:
    """Check the options of an enum field; returns the options for later checks."""
    raw = spec.get("options")
    if raw is None:
        yield part.error(at, f"type '{spec['type']}' needs options")
        return []
    if isinstance(raw, str):
        if raw not in option_sets:
            known = ", ".join(sorted(option_sets)) or "none declared in options.yaml"
            yield part.error((*at, "options"), f"unknown option set '{raw}' (known: {known})")
            return []
        return option_sets[raw]
    if not isinstance(raw, list) or not raw:
        yield part.error((*at, "options"), "give an option set name or a list of options")
        return []
    loaded = []
    for i, item in enumerate(raw):
        try:
            loaded.append(OptionSchema().load(item if isinstance(item, dict) else {}))
        except ValidationError as exc:
            for key, messages in exc.messages.items():
                yield part.error((*at, "options", i, key), _first(messages))
    yield from _duplicate_codes(part, (*at, "options"), loaded)
    return loaded


def _first(messages: Any) -> str:
    text = str(messages[0] if isinstance(messages, list) else messages)
    if text == "Missing data for required field.":
        return "required"
    return text.rstrip(".")


def _reference_target(parts: ConfigParts, part: Part, at: tuple[str, ...],
                      spec: dict[str, Any]) -> Iterator[ConfigError]:
    target = spec.get("to")
    if target is None:
        yield part.error(at, "a reference needs 'to: <entity>'")
    elif target not in parts.entities and target not in parts.broken_entities:
        known = ", ".join(sorted(parts.entities))
        yield part.error((*at, "to"), f"unknown entity '{target}' (known: {known})")


def _tag_group(parts: ConfigParts, part: Part, at: tuple[str, ...],
               spec: dict[str, Any]) -> Iterator[ConfigError]:
    tag = parts.entities.get(TAG_ENTITY)
    if tag is None:
        if TAG_ENTITY not in parts.broken_entities:
            yield part.error(at, "tags need the tag library: declare entity 'tag'")
        return
    group = spec.get("group")
    group_field = tag.data["fields"].get("group")
    if group is None or group_field is None:
        return
    codes = {str(o["code"]) for o in _inline_or_named(parts, group_field)}
    if codes and group not in codes:
        yield part.error((*at, "group"), f"unknown tag group '{group}' "
                                         f"(known: {', '.join(sorted(codes))})")


def _inline_or_named(parts: ConfigParts, spec: dict[str, Any]) -> list[dict[str, Any]]:
    raw = spec.get("options")
    if isinstance(raw, str):
        return _option_sets(parts).get(raw, [])
    return [o for o in raw or [] if isinstance(o, dict) and "code" in o]


def _bounds(part: Part, at: tuple[str, ...], ftype: FieldType,
            spec: dict[str, Any]) -> Iterator[ConfigError]:
    parsed = {}
    for key in ("min", "max"):
        if key not in spec:
            continue
        value = _as_date(spec[key]) if ftype is FieldType.DATE else _as_number(spec[key])
        if value is None:
            kind = "a date (YYYY-MM-DD)" if ftype is FieldType.DATE else "a number"
            yield part.error((*at, key), f"'{key}' must be {kind}")
        else:
            parsed[key] = value
    if "min" in parsed and "max" in parsed and parsed["min"] > parsed["max"]:
        yield part.error((*at, "max"), "'max' is smaller than 'min'")


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def default_problem(ftype: FieldType, value: Any, options: list[dict[str, Any]],
                    spec: dict[str, Any]) -> str | None:
    """Why ``value`` cannot be the default of a field of ``ftype``, or ``None``."""
    codes = [str(o["code"]) for o in options]
    if ftype in (FieldType.REFERENCE, FieldType.USER, FieldType.TAGS):
        return f"type '{ftype}' cannot have a default"
    if ftype is FieldType.BOOLEAN and not isinstance(value, bool):
        return "default must be true or false"
    if ftype is FieldType.INTEGER and (isinstance(value, bool) or not isinstance(value, int)):
        return f"default '{value}' is not a whole number"
    if ftype in NUMERIC and ftype is not FieldType.INTEGER and _as_number(value) is None:
        return f"default '{value}' is not a number"
    if ftype is FieldType.DATE and _as_date(value) is None:
        return f"default '{value}' is not a date (YYYY-MM-DD)"
    if ftype is FieldType.ENUM and codes and str(value) not in codes:
        return f"default '{value}' is not an option (known: {', '.join(codes)})"
    if ftype is FieldType.MULTI_ENUM and codes:
        wrong = [str(v) for v in (value if isinstance(value, list) else [value])
                 if str(v) not in codes]
        if wrong:
            return f"default '{wrong[0]}' is not an option (known: {', '.join(codes)})"
    if ftype in NUMERIC and _as_number(value) is not None:
        number = _as_number(value)
        if "min" in spec and _as_number(spec["min"]) is not None and number < _as_number(
                spec["min"]):
            return f"default {value} is below min {spec['min']}"
        if "max" in spec and _as_number(spec["max"]) is not None and number > _as_number(
                spec["max"]):
            return f"default {value} is above max {spec['max']}"
    if ftype in TEXTUAL and not isinstance(value, str):
        return "default must be text"
    if ftype in TEXTUAL and spec.get("length") and len(value) > spec["length"]:
        return f"default is longer than length {spec['length']}"
    return None


def _check_seed(part: Part, seed: dict[str, Any], fields: dict[str, Any]
                ) -> Iterator[ConfigError]:
    if seed["by"] not in fields:
        yield part.error(("seed", "by"), f"unknown field '{seed['by']}'")
        return
    for i, row in enumerate(seed["rows"]):
        if seed["by"] not in row:
            yield part.error(("seed", "rows", i), f"row has no '{seed['by']}'")
        for key in row:
            if key not in fields:
                yield part.error(("seed", "rows", i, key), f"unknown field '{key}'")


def _check_roles(parts: ConfigParts) -> Iterator[ConfigError]:
    if not parts.roles:
        return
    roles = parts.roles.data["roles"]
    if not any(r["admin"] for r in roles.values()):
        yield parts.roles.error(("roles",), "no role has 'admin: true'; add one")
    for rcode, role in roles.items():
        for ecode, grant in role["entities"].items():
            at = ("roles", rcode, "entities", ecode)
            if ecode == "*":
                continue
            entity = parts.entities.get(ecode)
            if entity is None:
                if ecode not in parts.broken_entities:
                    yield parts.roles.error(at, f"unknown entity '{ecode}'")
                continue
            for kind in ("hidden", "readonly"):
                for i, fcode in enumerate(grant[kind]):
                    if fcode not in entity.data["fields"] and fcode != "owner":
                        yield parts.roles.error((*at, kind, i),
                                                f"unknown field '{fcode}' of '{ecode}'")


def _check_units(parts: ConfigParts) -> Iterator[ConfigError]:
    seen: dict[str, str] = {}
    for ucode, part in parts.units.items():
        for team in part.data["teams"]:
            if team in seen:
                yield part.error(("teams", team), f"team '{team}' is also in unit '{seen[team]}'")
            seen[team] = ucode
