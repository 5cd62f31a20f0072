"""marshmallow input schemas generated from the Registry: type coercion and field rules.

The REST API and the UI forms both hand raw values to ``records``, which loads them with
these schemas, so every channel gets the same conversions and messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from marshmallow import fields as mf

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity, Field
from leadloom.records.phones import normalize_phone


class Phone(mf.String):
    """A Chinese mobile or landline number, normalised on load."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        normalized = normalize_phone(text)
        if normalized is None:
            raise ValidationError(f"'{text}' is not a valid phone number")
        return normalized


class NaiveUtcDateTime(mf.DateTime):
    """Datetimes are stored as naive UTC; an aware input is converted first."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime):
            result = value
        else:
            result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            result = result.astimezone(dt.UTC).replace(tzinfo=None)
        return result


class LenientDate(mf.Date):
    """Accepts a ``date`` object (from a form) as well as ISO text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


def _range(f: Field) -> list[validate.Validator]:
    if f.min is None and f.max is None:
        return []
    return [validate.Range(min=f.min, max=f.max)]


def _text(f: Field, default_length: int | None) -> list[validate.Validator]:
    rules: list[validate.Validator] = []
    length = f.length or default_length
    if length:
        rules.append(validate.Length(max=length))
    if f.pattern:
        rules.append(validate.Regexp(f.pattern, error=f"does not match the pattern {f.pattern}"))
    return rules


def _codes(f: Field) -> list[str]:
    return [o.code for o in f.options]


INPUT_FIELDS: dict[FieldType, Callable[[Field], mf.Field]] = {
    FieldType.STRING: lambda f: mf.String(validate=_text(f, 255)),
    FieldType.TEXT: lambda f: mf.String(validate=_text(f, None)),
    FieldType.INTEGER: lambda f: mf.Integer(validate=_range(f)),
    FieldType.DECIMAL: lambda f: mf.Decimal(places=4, allow_nan=False, validate=_range(f)),
    FieldType.MONEY: lambda f: mf.Decimal(places=2, allow_nan=False, validate=_range(f)),
    FieldType.BOOLEAN: lambda f: mf.Boolean(),
    FieldType.DATE: lambda f: LenientDate(validate=_range(f)),
    FieldType.DATETIME: lambda f: NaiveUtcDateTime(),
    FieldType.ENUM: lambda f: mf.String(validate=validate.OneOf(
        _codes(f), error="'{input}' is not an option (known: {choices})")),
    FieldType.MULTI_ENUM: lambda f: mf.List(mf.String(validate=validate.OneOf(
        _codes(f), error="'{input}' is not an option (known: {choices})"))),
    FieldType.EMAIL: lambda f: mf.Email(validate=validate.Length(max=254)),
    FieldType.PHONE: lambda f: Phone(),
    FieldType.REFERENCE: lambda f: mf.Integer(strict=False),
    FieldType.USER: lambda f: mf.Integer(strict=False),
    FieldType.TAGS: lambda f: mf.List(mf.Integer(strict=False)),
}


def input_schema(entity: Entity) -> Schema:
    """The schema that loads raw input for ``entity``, built once per Entity object.

    Keyed by identity: hashing a frozen Entity walks every field and option, which cost more
    than the load itself in bulk writes. The cached entry keeps the Entity alive, so its id
    cannot be reused while it is cached.
    """
    cached = _SCHEMAS.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    if len(_SCHEMAS) > 1024:
        _SCHEMAS.clear()
    schema = _build_input_schema(entity)
    _SCHEMAS[id(entity)] = (entity, schema)
    return schema


_SCHEMAS: dict[int, tuple[Entity, Schema]] = {}


def _build_input_schema(entity: Entity) -> Schema:
    declared: dict[str, mf.Field] = {
        f.code: INPUT_FIELDS[f.type](f) for f in entity.fields}
    declared["owner"] = mf.Integer(strict=False)
    for name, field in declared.items():
        field.allow_none = True
        field.data_key = name
    schema_cls = Schema.from_dict(declared, name=f"{entity.code.title()}Input")
    return schema_cls(unknown=EXCLUDE)
