"""The OpenAPI document of the REST API, built per caller from the Registry and their rights.

FAB writes ``/api/v1/_openapi`` on every request; the entity APIs add their own schemas
here: records as the caller reads them, bodies with exactly the fields the caller may write
in their unit, the rison ``q`` argument with the caller's columns. The same JSON Schema
checks every REST body (``checked_body``), so the document and the answers cannot drift
apart: money and decimals are exact strings both ways, ids integers, times with offsets.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft7Validator, ValidationError

from leadloom.access import Actor, on_record, rights
from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, Label, Registry
from leadloom.model.columns import ID_RANGE
from leadloom.records import RecordInvalid

#: Biggest value of a 64-bit integer column, and of a 32-bit id column.
INT64 = 2**63 - 1
INT32 = ID_RANGE[1]
#: What a time may look like in a request: an offset is optional (naive = the app's zone).
DATETIME_IN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
               r"(Z|[+-][0-9]{2}:[0-9]{2})?$")
DATE_IN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Money is Numeric(14, 2), decimals Numeric(18, 4): digits before and after the point.
DIGITS = {FieldType.MONEY: (12, 2), FieldType.DECIMAL: (14, 4)}
DECIMAL_OUT = r"^-?[0-9]+(\.[0-9]+)?$"

ERROR = {"type": "object", "required": ["message"], "properties": {
    "message": {"type": "string"},
    "errors": {"type": "object", "description": "field code → messages"}}}
#: FAB's standard answers, with leadloom's error body.
RESPONSES = {code: {"description": text, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}} for code, text in (
    ("400", "Bad request"), ("401", "Not logged in"), ("403", "Not allowed for your roles"),
    ("404", "Not found, or not in your scope"),
    ("409", "Someone else changed it first, or it is taken"),
    ("422", "Invalid fields: errors names each field and rule"), ("500", "Fatal error"))}

#: JSON Schema rule → the write path's message for it (its value fills the placeholder).
MESSAGES = {
    "type": Message("must be of type %(type)s"),
    "pattern": Message("does not match the pattern %(pattern)s"),
    "maxLength": Message("at most %(max)s characters"),
    "minimum": Message("must be at least %(min)s"),
    "maximum": Message("must be at most %(max)s"),
    "enum": Message("is not an option"),
    "required": Message("required"),
    "additionalProperties": Message("unknown field"),
    "minItems": Message("at least %(min)s items"),
}
INVALID = Message("invalid")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def money_pattern(f: Field) -> str:
    """Decimal text within the column's precision; no sign when the field has ``min >= 0``."""
    before, after = DIGITS[f.type]
    sign = "-?" if f.min is None or f.min < 0 else ""
    return rf"^{sign}[0-9]{{1,{before}}}(\.[0-9]{{1,{after}}})?$"


def _exact_number(f: Field) -> dict[str, Any]:
    """A JSON number within the column's digits (the API reads numbers as ``Decimal``)."""
    before, _ = DIGITS[f.type]
    largest = 10**before - 1
    low = _number(f.min) if f.min is not None else -largest
    return {"type": "number", "minimum": low,
            "maximum": _number(f.max) if f.max is not None else largest}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def input_field(f: Field) -> dict[str, Any]:
    """The JSON Schema of a value a client may send for ``f`` (``null`` aside)."""
    if f.type in (FieldType.MONEY, FieldType.DECIMAL):
        return {"anyOf": [{"type": "string", "pattern": money_pattern(f)}, _exact_number(f)],
                "description": "a decimal as text, e.g. \"1234.50\" (a JSON number is read "
                               "exactly too); answers always carry text" + (
                                   f"; {in_yuan(f)}" if f.type is FieldType.MONEY else "")}
    if f.type is FieldType.INTEGER:
        return {"type": "integer", "minimum": _number(f.min) if f.min is not None else -INT64,
                "maximum": _number(f.max) if f.max is not None else INT64}
    if f.type in (FieldType.REFERENCE, FieldType.USER):
        return {"type": "integer", "minimum": 1, "maximum": INT32}
    if f.type is FieldType.TAGS:
        return {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": INT32}}
    if f.type is FieldType.BOOLEAN:
        return {"type": "boolean"}
    if f.type is FieldType.DATE:
        return {"type": "string", "format": "date", "pattern": DATE_IN}
    if f.type is FieldType.DATETIME:
        return {"type": "string", "pattern": DATETIME_IN, "description":
                "ISO 8601; without an offset it is read in the app's time zone"}
    if f.type is FieldType.ENUM:
        return {"type": "string", "enum": [o.code for o in f.options if o.active]}
    if f.type is FieldType.MULTI_ENUM:
        return {"type": "array", "items": {
            "type": "string", "enum": [o.code for o in f.options if o.active]}}
    return _text(f)


def in_yuan(f: Field) -> str:
    """What a money amount counts: always 元, also where forms and pages use 万."""
    return "in yuan (元, CNY)" + (", though forms and pages show 万 (10,000 yuan)"
                                 if f.unit is MoneyUnit.WAN else "")


def _text(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    length = f.length or (None if f.type is FieldType.TEXT else 255)
    if f.type is FieldType.EMAIL:
        schema.update(format="email", maxLength=254)
    elif f.type is FieldType.PHONE:
        schema["maxLength"] = 32
    elif length:
        schema["maxLength"] = length
    if f.pattern:
        schema["pattern"] = f.pattern
    return schema


def output_field(f: Field) -> dict[str, Any]:
    """The JSON Schema of ``f``'s value in answers (stored values may predate a rule)."""
    if f.type in (FieldType.MONEY, FieldType.DECIMAL):
        out = {"type": "string", "pattern": DECIMAL_OUT, "nullable": True}
        return {**out, "description": in_yuan(f)} if f.type is FieldType.MONEY else out
    if f.type in (FieldType.INTEGER, FieldType.REFERENCE, FieldType.USER):
        return {"type": "integer", "nullable": True}
    if f.type is FieldType.BOOLEAN:
        return {"type": "boolean", "nullable": True}
    if f.type is FieldType.DATE:
        return {"type": "string", "format": "date", "nullable": True}
    if f.type is FieldType.DATETIME:
        return {"type": "string", "format": "date-time", "nullable": True}
    if f.type is FieldType.MULTI_ENUM:
        return {"type": "array", "items": {"type": "string"}, "nullable": True}
    if f.type is FieldType.TAGS:
        return {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}}}
    return {"type": "string", "nullable": True}


def writable(registry: Registry, actor: Actor, entity: str, operation: str) -> list[Field]:
    """The fields ``actor`` may set on ``operation`` (create/update) in their own unit,
    plus ``owner`` (as a pseudo-field) when their roles may set it."""
    granted = rights(registry, actor, entity)
    if not granted.allows(operation):
        return []
    if operation == "create":  # a new record is the actor's own and has no owner yet
        granted = on_record(granted, actor, actor.user_id, None)
    view = registry.view(entity, actor.unit)
    found = [f for f in view.fields if f.code not in granted.readonly | granted.hidden]
    if view.owned and "owner" not in granted.readonly | granted.hidden:
        found.append(OWNER)
    return found


#: ``owner`` is not a declared field, but a body may set it like a user field.
OWNER = Field(code="owner", label=Label("负责人", "Owner"), type=FieldType.USER)
#: What a body may carry besides fields: why (``_comment``), and the version read (updates).
COMMENT = {"type": "string", "description": "why: shown on an approval the change asks for"}
VERSION = {"type": "integer", "minimum": 1, "maximum": INT64,
           "description": "the version you read: 409 if it changed since"}


def required_on_create(f: Field) -> bool:
    return f.required and f.default is None


def body_schema(fields: list[Field], *, create: bool) -> dict[str, Any]:
    """A create (``create``) or update body: only ``fields``, nothing else."""
    props: dict[str, Any] = {}
    for f in fields:
        schema = input_field(f)
        props[f.code] = schema if f.required else {**schema, "nullable": True}
    props["_comment"] = {**COMMENT, "nullable": True}
    if not create:
        props["version"] = {**VERSION, "nullable": True}
    body: dict[str, Any] = {"type": "object", "properties": props,
                            "additionalProperties": False}
    required = [f.code for f in fields if required_on_create(f)] if create else []
    if required:
        body["required"] = required
    return body


def record_schema(entity: Entity, hidden: frozenset[str]) -> dict[str, Any]:
    """A record as the caller reads it (fields of every unit; hidden ones left out)."""
    props: dict[str, Any] = {"id": {"type": "integer"}}
    props.update({f.code: output_field(f) for f in entity.fields if f.code not in hidden})
    required = ["id", "unit", "version", "config_version", "created_at", "updated_at"]
    if entity.owned and "owner" not in hidden:
        props["owner"] = {"type": "integer", "nullable": True}
        required.append("owner")
    props.update(unit={"type": "string", "nullable": True}, version={"type": "integer"},
                 config_version={"type": "integer", "nullable": True},
                 created_at={"type": "string", "format": "date-time", "nullable": True},
                 updated_at={"type": "string", "format": "date-time", "nullable": True})
    return {"type": "object", "properties": props, "required": required}


def checked_body(entity: Entity, body: dict[str, Any], zone: str) -> dict[str, Any]:
    """``body`` checked against the shape of each field it names (``shape``); times read
    (naive ones in ``zone``) and money left as exact text for the write path.

    :raises RecordInvalid: every value that does not fit its documented schema.
    """
    errors: dict[str, list[str]] = {}
    values = dict(body)
    extra = {"_comment": COMMENT, "version": VERSION}
    for code, value in body.items():
        f = entity.field(code) if entity.has_field(code) else OWNER if code == "owner" else None
        if value is None or (f is None and code not in extra):
            continue
        problems = _problems(shape(f) if f else extra[code], value)
        if problems:
            errors[code] = problems
        elif f is not None and f.type is FieldType.DATETIME:
            values[code] = _aware(value, zone)
    if errors:
        raise RecordInvalid(errors)
    return values


def shape(f: Field) -> dict[str, Any]:
    """What the body check holds a value of ``f`` to: its JSON type and readable times. The
    rules of the field (options, lengths, patterns, ranges, the columns' digits and id
    ranges) are the write path's, with its messages."""
    if f.type in (FieldType.MONEY, FieldType.DECIMAL):
        return {"type": ["string", "number"]}
    if f.type in (FieldType.INTEGER, FieldType.REFERENCE, FieldType.USER):
        return {"type": "integer"}
    if f.type is FieldType.TAGS:
        return {"type": "array", "items": {"type": "integer"}}
    if f.type in (FieldType.DATE, FieldType.DATETIME, FieldType.BOOLEAN):
        return input_field(f)
    if f.type is FieldType.MULTI_ENUM:
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "string"}


def _problems(schema: dict[str, Any], value: Any) -> list[str]:
    return [problem for _, problem in _located(schema, value)]


def _located(schema: dict[str, Any], value: Any) -> list[tuple[str | None, Message]]:
    """(the property it concerns, its message) per problem."""
    found = []
    for error in Draft7Validator(schema).iter_errors(value):
        where = str(error.path[0]) if error.path else None
        if error.validator == "required":
            where = error.message.split("'")[1]
        found.append((where, _message(error)))
    return found


def _message(error: ValidationError) -> Message:
    """The message for a broken rule, the rule's value as its parameter."""
    template = MESSAGES.get(str(error.validator), INVALID)
    names = PLACEHOLDER.findall(template.msgid)
    return Message(template.msgid, **dict.fromkeys(names, error.validator_value))


def check_body(schema: dict[str, Any], body: Any) -> Any:
    """``body`` if it fits ``schema`` (JSON Schema).

    :raises RecordInvalid: each problem under its property (``body`` for the whole).
    """
    errors: dict[str, list[str]] = {}
    for where, problem in _located(schema, body):
        errors.setdefault(where or "body", []).append(problem)
    if errors:
        raise RecordInvalid(errors)
    return body


def query_value(f: Field | None, value: Any, zone: str) -> Any:
    """A list filter's value as its column holds it: decimals exact, dates and times read
    (naive times in ``zone``, stored as naive UTC), text the database can store.

    :raises ValueError: the value cannot be one of the column's.
    """
    if f is None or not isinstance(value, str):
        return value
    if f.type in (FieldType.MONEY, FieldType.DECIMAL):
        return Decimal(value)
    if f.type is FieldType.DATE:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(Message("'%(value)s' is not a date", value=value)) from None
    if f.type is FieldType.DATETIME:
        moment = _aware(value, zone)
        if isinstance(moment, str):
            raise ValueError(Message("'%(value)s' is not a time", value=value))
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _aware(text: str, zone: str) -> dt.datetime | str:
    """A time from a request; a naive one is in the app's zone. Unreadable text is left for
    the write path to refuse."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))
