"""Cross-file checks: what the shape of a single file cannot tell.

Each check is a small named function that yields ``ConfigError``s; ``check_config`` runs them
all and returns every problem together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError

from leadloom.metadata.defaults import as_date, as_number, default_problem
from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import (
    CHOICE,
    TEXTUAL,
    TYPE_OPTIONS,
    UNINDEXED,
    UNSORTABLE,
    FieldType,
)
from leadloom.metadata.funnel_checks import check_funnels
from leadloom.metadata.intake import check_intake
from leadloom.metadata.lead_checks import check_leads
from leadloom.metadata.list_view_checks import check_list_views
from leadloom.metadata.overlays import check_overlays
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.renames import check_renames
from leadloom.metadata.reports import check_reports
from leadloom.metadata.schema import OptionSchema
from leadloom.metadata.workflows import check_workflows

RESERVED_FIELDS = frozenset({
    "id", "owner", "owner_id", "unit", "team", "version", "extra", "created_at", "created_by",
    "created_by_id", "updated_at", "updated_by", "updated_by_id", "config_version",
    "metadata", "registry",  # reserved by SQLAlchemy on every mapped class
})
RESERVED_ENTITIES = frozenset({"user", "role", "permission", "session"})
COMMON_KEYS = frozenset({"type", "zh", "en", "required", "unique", "default", "help", "section",
                         "renamed_from", "convert", "plugin_type",
                         "list", "search", "filter", "sort", "index", "system"})
TAG_ENTITY = "tag"


def check_config(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem in ``parts``."""
    errors: list[ConfigError] = []
    menus = _menu_codes(parts)
    option_sets = option_sets_of(parts)
    errors += _check_option_sets(parts)
    errors += _entity_code_clashes(parts)
    for code, part in parts.entities.items():
        errors += _check_entity(parts, code, part, menus, option_sets)
    errors += check_renames(parts)
    errors += _check_roles(parts)
    errors += _check_units(parts)
    errors += check_overlays(parts, check_field, option_sets)
    errors += _check_menus(parts)
    errors += check_reports(parts)
    errors += check_intake(parts)
    errors += check_funnels(parts)
    errors += check_workflows(parts)
    errors += check_leads(parts)
    return errors


def _menu_codes(parts: ConfigParts) -> set[str]:
    return {m["code"] for m in parts.app.data["menus"]} if parts.app else set()


def option_sets_of(parts: ConfigParts) -> dict[str, list[dict[str, Any]]]:
    if not parts.options:
        return {}
    return {code: s["options"] for code, s in parts.options.data["option_sets"].items()}


def _check_option_sets(parts: ConfigParts) -> Iterator[ConfigError]:
    for code, options in option_sets_of(parts).items():
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


def _entity_code_clashes(parts: ConfigParts) -> Iterator[ConfigError]:
    """Codes the model layer cannot tell apart: class ``Foo1`` (``foo1``, ``foo_1``), and
    ``lead__tags``, the name of the link table of ``lead.tags``."""
    seen: dict[str, str] = {}
    for code, part in parts.entities.items():
        name = "".join(p.capitalize() for p in code.split("_"))
        if "__" in code:
            yield part.error(("entity",), f"'{code}': '__' is reserved; use a single '_'")
        elif name in seen:
            yield part.error(("entity",), f"'{code}' is too close to entity '{seen[name]}'; "
                                          "rename one")
        seen.setdefault(name, code)


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
    yield from _title_field(part, data.get("title_field"), fields)
    yield from _column_clashes(part, fields)
    for fcode, spec in fields.items():
        yield from check_field(parts, part, fcode, spec, sections, option_sets)
    if "seed" in data:
        yield from _check_seed(part, data["seed"], fields)
    yield from check_list_views(part, option_sets)


def _title_field(part: Part, title: str | None, fields: dict[str, Any]
                 ) -> Iterator[ConfigError]:
    if title is None or title in part.broken_fields:
        return
    if title not in fields:
        yield part.error(("title_field",), _unknown("field", title, fields))
    elif FieldType(fields[title]["type"]) not in TEXTUAL:
        yield part.error(("title_field",), f"'{title}' is {fields[title]['type']}: pick a "
                                           "string, text, email or phone field")


def _column_clashes(part: Part, fields: dict[str, Any]) -> Iterator[ConfigError]:
    columns: dict[str, str] = {}
    for fcode, spec in fields.items():
        if fcode in RESERVED_FIELDS:
            yield part.error(("fields", fcode), f"'{fcode}' is a system field; rename it")
        column = f"{fcode}_id" if spec["type"] in ("reference", "user") else fcode
        if column in columns:
            yield part.error(("fields", fcode), f"column '{column}' clashes with field "
                                                f"'{columns[column]}'; rename one")
        columns[column] = fcode


def check_field(parts: ConfigParts, part: Part, fcode: str, spec: dict[str, Any],
                sections: list[str], option_sets: dict[str, list[dict[str, Any]]],
                at: tuple[str, ...] | None = None) -> Iterator[ConfigError]:
    """Every problem of one field declaration; ``at`` is its key path inside ``part``."""
    ftype = FieldType(spec["type"])
    at = at or ("fields", fcode)
    allowed = COMMON_KEYS | TYPE_OPTIONS[ftype]
    for key in spec:
        if key not in allowed:
            yield part.error((*at, key), f"'{key}' does not apply to type '{ftype}'")
    if "section" in spec and spec["section"] not in sections:
        yield part.error((*at, "section"), _unknown("section", spec["section"], sections))
    options: list[dict[str, Any]] = []
    if ftype in CHOICE:
        options = yield from _choice_options(parts, part, at, spec, option_sets)
    if ftype is FieldType.REFERENCE:
        yield from _reference_target(parts, part, at, spec)
    if ftype is FieldType.TAGS:
        yield from _tag_group(parts, part, at, spec)
    if ftype in UNINDEXED:
        for flag in ("unique", "index"):
            if spec.get(flag):
                yield part.error((*at, flag), f"'{flag}' does not work on type '{ftype}'")
    if spec.get("sort") and ftype in UNSORTABLE:
        yield part.error((*at, "sort"), f"lists cannot sort by a field of type '{ftype}'")
    if spec.get("search") and ftype not in TEXTUAL:
        yield part.error((*at, "search"), "search works on text fields only; use filter")
    yield from _bounds(part, at, ftype, spec)
    if spec.get("default") is not None:
        problem = default_problem(ftype, spec["default"], options, spec)
        if problem:
            yield part.error((*at, "default"), problem)


def _choice_options(parts: ConfigParts, part: Part, at: tuple[str, ...], spec: dict[str, Any],
                    option_sets: dict[str, list[dict[str, Any]]]
                    ) -> Iterator[ConfigError]:
    """Check the options of an enum field; returns the options for later checks."""
    raw = spec.get("options")
    if raw is None:
        yield part.error(at, f"type '{spec['type']}' needs 'options': a set name or a list")
        return []
    if isinstance(raw, str):
        if raw not in option_sets:
            known = ", ".join(sorted(option_sets)) or "none declared in options.yaml"
            if not parts.options_broken:  # its own errors say what is wrong there
                yield part.error((*at, "options"), f"unknown option set '{raw}' (known: {known})")
            return []
        return option_sets[raw]
    if not isinstance(raw, list) or not raw:
        yield part.error((*at, "options"), "give an option set name or a list of options")
        return []
    loaded = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            yield part.error((*at, "options", i), "an option is {code: ..., zh: ..., en: ...}")
            continue
        try:
            loaded.append(OptionSchema().load(item))
        except ValidationError as exc:
            for key, messages in exc.messages.items():
                yield part.error((*at, "options", i, key), _first(key, messages))
    yield from _duplicate_codes(part, (*at, "options"), loaded)
    return loaded


def _first(key: str, messages: Any) -> str:
    text = str(messages[0] if isinstance(messages, list) else messages)
    if text == "Missing data for required field.":
        return f"'{key}' is required"
    if text == "Unknown field.":
        return f"unknown key '{key}' (an option has code, zh, en and active)"
    return text[0].lower() + text[1:].rstrip(".")


def _unknown(what: str, name: Any, known: Any) -> str:
    """``unknown field 'x' (known: a, b)``: the message names what the admin may write."""
    return f"unknown {what} '{name}' {_known(known)}"


def _known(names: Any) -> str:
    return f"(known: {', '.join(sorted(set(map(str, names)))) or 'none'})"


def _reference_target(parts: ConfigParts, part: Part, at: tuple[str, ...],
                      spec: dict[str, Any]) -> Iterator[ConfigError]:
    target = spec.get("to")
    if target is None:
        yield part.error(at, "a reference needs 'to: <entity>'")
    elif target == "user":
        yield part.error((*at, "to"), "to point at a user, use 'type: user' without 'to'")
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
    if group is None or "group" in tag.broken_fields:
        return
    if group_field is None:
        yield part.error((*at, "group"), "entity 'tag' has no 'group' field to pick from")
        return
    codes = {str(o["code"]) for o in _inline_or_named(parts, group_field)}
    if codes and group not in codes:
        yield part.error((*at, "group"), f"unknown tag group '{group}' "
                                         f"(known: {', '.join(sorted(codes))})")


def _inline_or_named(parts: ConfigParts, spec: dict[str, Any]) -> list[dict[str, Any]]:
    raw = spec.get("options")
    if isinstance(raw, str):
        return option_sets_of(parts).get(raw, [])
    return [o for o in raw if isinstance(o, dict) and "code" in o] if isinstance(raw, list) else []


def _bounds(part: Part, at: tuple[str, ...], ftype: FieldType,
            spec: dict[str, Any]) -> Iterator[ConfigError]:
    parsed = {}
    for key in ("min", "max"):
        if key not in spec:
            continue
        value = as_date(spec[key]) if ftype is FieldType.DATE else as_number(spec[key])
        if value is None:
            kind = "a date (YYYY-MM-DD)" if ftype is FieldType.DATE else "a number"
            yield part.error((*at, key), f"'{key}' must be {kind}")
        else:
            parsed[key] = value
    if "min" in parsed and "max" in parsed and parsed["min"] > parsed["max"]:
        yield part.error((*at, "max"), "'max' is smaller than 'min'")


def _check_seed(part: Part, seed: dict[str, Any], fields: dict[str, Any]
                ) -> Iterator[ConfigError]:
    by = seed["by"]
    if by in part.broken_fields:
        return
    if by not in fields:
        yield part.error(("seed", "by"), _unknown("field", by, fields))
        return
    if fields[by]["type"] == FieldType.TAGS:
        yield part.error(("seed", "by"), "rows cannot be matched on a tags field")
    for i, row in enumerate(seed["rows"]):
        if by not in row:
            yield part.error(("seed", "rows", i), f"give this row a '{by}': rows are matched on it")
        for key in row:
            if key not in fields and key not in part.broken_fields:
                yield part.error(("seed", "rows", i, key), _unknown("field", key, fields))


def _check_roles(parts: ConfigParts) -> Iterator[ConfigError]:
    if not parts.roles:
        return
    roles = parts.roles.data["roles"]
    if not any(r["admin"] for r in roles.values()):
        yield parts.roles.error(("roles",), "no role has 'admin: true'; add one")
    for rcode, role in roles.items():
        for ecode, grant in role["entities"].items():
            at = ("roles", rcode, "entities", ecode)
            if "export" in grant["operations"] and "list" not in grant["operations"]:
                yield parts.roles.error((*at, "operations"), "'export' needs 'list': a "
                                        "role exports the lists it sees; add 'list'")
            if ecode == "*":
                continue
            entity = parts.entities.get(ecode)
            if entity is None:
                if ecode not in parts.broken_entities:
                    yield parts.roles.error(at, _unknown("entity", ecode, parts.entities))
                continue
            for kind in ("hidden", "readonly", "shown_to_creator"):
                for i, fcode in enumerate(grant[kind]):
                    if fcode not in entity.data["fields"] and fcode not in {
                            "owner", *entity.broken_fields}:
                        yield parts.roles.error((*at, kind, i), f"'{ecode}' has no field "
                                                f"'{fcode}' {_known([*entity.data['fields']])}")
                    elif kind == "shown_to_creator" and fcode not in grant["hidden"]:
                        yield parts.roles.error((*at, kind, i), f"'{fcode}' is not hidden: "
                                                "list it under 'hidden' too")


def _check_units(parts: ConfigParts) -> Iterator[ConfigError]:
    seen: dict[str, str] = {}
    for ucode, part in parts.units.items():
        for team in part.data["teams"]:
            if team in seen:
                yield part.error(("teams", team), f"team '{team}' is also in unit '{seen[team]}'")
            seen[team] = ucode
