"""Cross-checks of the funnel files (``config/funnels/*.yaml``), and the helpers the
workflow checks share: an entity's fields with those units add, a field's option codes,
and whether a condition compiles against an entity's fields."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from leadloom.metadata.defaults import default_problem
from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import CHOICE, NUMERIC, FieldType
from leadloom.metadata.funnels import CODE, MoveSchema
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.rules import ExpressionError, compile_expression, with_sides


def check_funnels(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem of the funnel files."""
    errors: list[ConfigError] = []
    for name, part in parts.funnels.items():
        errors += _check_funnel(parts, name, part)
    errors += _check_coverage(parts)
    return errors


def _check_funnel(parts: ConfigParts, name: str, part: Part) -> Iterator[ConfigError]:
    data = part.data
    fields = yield from named_file_entity(parts, part, "funnel", name)
    if fields is None:
        return
    options = yield from _stage_field(parts, part, data, fields)
    if data["amount"] is not None and data["amount"] not in fields:
        yield part.error(("amount",), f"unknown field '{data['amount']}' {known(fields)}")
    elif data["amount"] is not None and FieldType(fields[data["amount"]]["type"]) not in NUMERIC:
        yield part.error(("amount",), f"'{data['amount']}' is not a number or money field")
    units = set(parts.units)
    for i, unit in enumerate(data["units"]):
        if unit not in units | parts.broken_units:
            yield part.error(("units", i), f"unknown unit '{unit}' {known(units)}")
    stages = list(data["stages"])
    for i, code in enumerate(data["start"]):
        if code not in stages:
            yield part.error(("start", i), f"unknown stage '{code}' {known(stages)}")
    for code, stage in data["stages"].items():
        if options is not None and code not in options:
            yield part.error(("stages", code), f"'{code}' is not an option of "
                                                f"'{data['field']}' {known(options)}")
        yield from _check_stage(parts, part, ("stages", code), stage, stages, fields)


def _stage_field(parts: ConfigParts, part: Part, data: dict[str, Any],
                 fields: dict[str, Any]) -> Generator[ConfigError, None, list[str] | None]:
    """Check the stage field; return its option codes (None when unknown)."""
    code = data["field"]
    if code not in fields:
        yield part.error(("field",), f"unknown field '{code}' {known(fields)}")
        return None
    if FieldType(fields[code]["type"]) is not FieldType.ENUM:
        yield part.error(("field",), f"'{code}' is {fields[code]['type']}: the stage field "
                                     "must be an enum")
        return None
    return option_codes(parts, data["entity"], code)


def _check_stage(parts: ConfigParts, part: Part, at: tuple[str, ...], stage: dict[str, Any],
                 stages: list[str], fields: dict[str, Any]) -> Iterator[ConfigError]:
    for key in ("enter", "leave"):
        for i, code in enumerate(stage[key]):
            if code not in fields:
                yield part.error((*at, key, i), f"unknown field '{code}' {known(fields)}")
    for i, raw in enumerate(stage["next"]):
        yield from _check_move(parts, part, (*at, "next", i), raw, stages)
    if stage["related"] is not None:
        yield from _check_link(parts, part, (*at, "related"), stage["related"], part.data)
    for i, need in enumerate(stage["leave_records"]):
        at_need = (*at, "leave_records", i)
        yield from _check_link(parts, part, at_need, need, part.data)
        for fcode, value in need["where"].items():
            yield from _check_value(parts, part, (*at_need, "where", fcode), need["entity"],
                                    fcode, value)
    follows = stage["follows"]
    if follows is not None:
        yield from _check_link(parts, part, (*at, "follows"), follows, part.data)
        if follows["otherwise"] not in stages:
            yield part.error((*at, "follows", "otherwise"), f"unknown stage "
                                                           f"'{follows['otherwise']}'")
    for key in ("on_enter", "on_leave"):
        for fcode, value in stage[key].items():
            yield from _check_value(parts, part, (*at, key, fcode), part.data["entity"],
                                    fcode, value)


def _check_move(parts: ConfigParts, part: Part, at: tuple[str | int, ...], raw: Any,
                stages: list[str]) -> Iterator[ConfigError]:
    if isinstance(raw, str):
        raw = {"to": raw}
    try:
        move = MoveSchema().load(raw if isinstance(raw, dict) else {"to": raw})
    except ValidationError as exc:
        problems = exc.messages if isinstance(exc.messages, dict) else {"to": exc.messages}
        for key, messages in problems.items():
            yield part.error((*at, key), _first(key, messages))
        return
    if move["to"] not in stages:
        yield part.error(at, f"unknown stage '{move['to']}' {known(stages)}")
    roles = set(parts.roles.data["roles"]) if parts.roles else set()
    for i, role in enumerate(move["roles"]):
        if parts.roles and role not in roles:
            yield part.error((*at, "roles", i), f"unknown role '{role}' {known(roles)}")
    if move["when"] is not None:
        problem = expression_problem(parts, part.data["entity"], move["when"])
        if problem:
            yield part.error((*at, "when"), problem)


def _check_link(parts: ConfigParts, part: Part, at: tuple[str, ...], spec: dict[str, Any],
                funnel: dict[str, Any]) -> Iterator[ConfigError]:
    fields = entity_fields(parts, spec["entity"])
    if fields is None:
        if spec["entity"] not in parts.broken_entities:
            yield part.error((*at, "entity"), f"unknown entity '{spec['entity']}' "
                                              f"{known(parts.entities)}")
        return
    if waits(parts, spec["entity"]):
        return
    link = fields.get(spec["link"])
    if link is None:
        yield part.error((*at, "link"), f"unknown field '{spec['link']}' {known(fields)}")
    elif link["type"] != "reference" or link.get("to") != funnel["entity"]:
        yield part.error((*at, "link"), f"'{spec['link']}' must be a reference to "
                                        f"'{funnel['entity']}'")
    for i, code in enumerate(spec.get("fields", [])):
        if code not in fields:
            yield part.error((*at, "fields", i), f"unknown field '{code}' {known(fields)}")
    if "field" in spec:
        yield from _check_value(parts, part, (*at, "value"), spec["entity"], spec["field"],
                                spec["value"], field_at=(*at, "field"))


def _check_value(parts: ConfigParts, part: Part, at: tuple[str, ...], entity: str,
                 fcode: str, value: Any, field_at: tuple[str, ...] | None = None
                 ) -> Iterator[ConfigError]:
    """``fcode`` is a field of ``entity`` and, for an enum, ``value`` one of its options."""
    fields = entity_fields(parts, entity) or {}
    if fcode not in fields:
        if not waits(parts, entity):
            yield part.error(field_at or at, f"unknown field '{fcode}' {known(fields)}")
        return
    ftype = FieldType(fields[fcode]["type"])
    if ftype in CHOICE:
        codes = option_codes(parts, entity, fcode)
        if codes is not None and value is not None and str(value) not in codes:
            yield part.error(at, f"'{value}' is not an option of '{fcode}' {known(codes)}")
    elif value is not None:
        problem = default_problem(ftype, value, [], fields[fcode])
        if problem:
            yield part.error(at, problem.replace("default", "value"))


def _check_coverage(parts: ConfigParts) -> Iterator[ConfigError]:
    """One default funnel per entity, and one funnel per unit and entity."""
    seen: dict[tuple[str, str | None], str] = {}
    for name, part in sorted(parts.funnels.items()):
        entity = part.data["entity"]
        for i, unit in enumerate(part.data["units"] or [None]):
            key = (entity, unit)
            if key in seen:
                where: tuple[str | int, ...] = ("units", i) if unit else ("entity",)
                whom = f"unit '{unit}'" if unit else "every unit"
                yield part.error(where, f"funnel '{seen[key]}' is already {entity}'s "
                                        f"funnel for {whom}")
            seen.setdefault(key, name)


def named_file_entity(parts: ConfigParts, part: Part, key: str, name: str
                      ) -> Generator[ConfigError, None, dict[str, Any] | None]:
    """Check a funnel's or workflow's name (``key``) and entity; return the entity's fields,
    or None when the entity is unknown (already reported), broken, or has broken fields."""
    data = part.data
    stem = Path(part.doc.file).stem
    if key in data and data[key] != stem:
        yield part.error((key,), f"'{data[key]}' must match the file name '{stem}'")
    if not CODE.match(name):
        yield part.error((key,), f"'{name}' is not a code: use a-z, 0-9 and _")
    fields = entity_fields(parts, data["entity"])
    if fields is None and data["entity"] not in parts.broken_entities:
        yield part.error(("entity",), f"unknown entity '{data['entity']}' "
                                      f"{known(parts.entities)}")
    return None if waits(parts, data["entity"]) else fields


def waits(parts: ConfigParts, entity: str) -> bool:
    """Some of ``entity``'s fields did not load (already reported): names of its fields are
    not checked until they do, so a typo in one field does not echo everywhere."""
    part = parts.entities.get(entity)
    return part is not None and bool(part.broken_fields)


def entity_fields(parts: ConfigParts, entity: str) -> dict[str, Any] | None:
    """Field specs of ``entity``, with the fields units add; None: no such entity."""
    part = parts.entities.get(entity)
    if part is None:
        return None
    fields = dict(part.data["fields"])
    for unit in parts.units.values():
        fields.update(unit.data["entities"].get(entity, {}).get("fields", {}))
    return fields


def option_codes(parts: ConfigParts, entity: str, fcode: str) -> list[str] | None:
    """Option codes of an enum field, with those units add; None: unknown (reported)."""
    spec = (entity_fields(parts, entity) or {}).get(fcode, {})
    raw = spec.get("options")
    if isinstance(raw, str):
        sets = parts.options.data["option_sets"] if parts.options else {}
        if raw not in sets:
            return None
        items = sets[raw]["options"]
    elif isinstance(raw, list):
        items = [o for o in raw if isinstance(o, dict) and "code" in o]
    else:
        return None
    codes = [str(o["code"]) for o in items]
    for unit in parts.units.values():
        overlay = unit.data["entities"].get(entity, {}).get("options", {}).get(fcode)
        codes += [str(o["code"]) for o in (overlay or {}).get("add", [])]
    return codes


def expression_problem(parts: ConfigParts, entity: str, text: str) -> str | None:
    """Why ``text`` is not a condition on a write of ``entity`` (its fields, and
    ``old.<field>`` / ``new.<field>``), or None."""
    fields = entity_fields(parts, entity) or {}
    types = {code: str(spec["type"]) for code, spec in fields.items()}
    if parts.entities[entity].data.get("owned", True):
        types["owner"] = "user"
    choices = {code: option_codes(parts, entity, code)
               for code, spec in fields.items() if FieldType(spec["type"]) in CHOICE}
    # a field whose options are unknown (a broken options.yaml) is not checked for them
    options = {code: codes for code, codes in choices.items() if codes is not None}
    try:
        compile_expression(text, with_sides(types), options=options,
                           functions=parts.plugins.functions)
    except ExpressionError as exc:
        return str(exc)
    return None


def known(names: Any) -> str:
    return f"(known: {', '.join(sorted(set(map(str, names)))) or 'none'})"


def _first(key: str, messages: Any) -> str:
    text = str(messages[0] if isinstance(messages, list) else messages)
    if text == "Missing data for required field.":
        return f"'{key}' is required"
    if text == "Unknown field.":
        return f"unknown key '{key}' (a move has to, roles and when)"
    return text[0].lower() + text[1:].rstrip(".")
