"""marshmallow input schemas generated from the Registry: type coercion and field rules.

The REST API and the UI forms both hand raw values to ``records``, which loads them with
these schemas, so every channel gets the same conversions and messages.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from marshmallow import fields as mf

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.phones import normalize_phone
from leadloom.metadata.registry import Entity, Field
from leadloom.model.columns import BIGINT_RANGE, EXACT_DIGITS, ID_RANGE, NUMERIC_DIGITS
from leadloom.records.field_rules import Bounds, MaxLength, Option, Pattern
from leadloom.records.identity_cache import by_identity

#: Dates and times outside these years are typing mistakes (and beyond some databases).
YEARS = (1900, 2200)


class Text(mf.String):
    """Text the databases can store: stripped, no NUL, no lone surrogate (not UTF-8)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if "\x00" in text:
            raise ValidationError(Message("must not contain NUL characters"))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(Message("contains characters that are not valid Unicode")
                                  ) from None
        return text


class Email(Text, mf.Email):
    """An e-mail address, checked after ``Text`` has stripped and cleaned it."""


class Phone(Text):
    """A Chinese mobile or landline number, normalised on load."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "":
            return text
        normalized = normalize_phone(text)
        if normalized is None:
            raise ValidationError(Message("'%(text)s' is not a valid phone number", text=text))
        return normalized


class Amount(mf.Decimal):
    """An exact number (money, decimal) that fits its column; floats never get here from
    the API (JSON numbers are parsed as ``Decimal``), strings and numbers both load."""

    def __init__(self, field_type: FieldType, **kwargs: Any) -> None:
        precision, scale = NUMERIC_DIGITS[field_type]
        super().__init__(places=scale, allow_nan=False, **kwargs)
        self.digits = min(precision, EXACT_DIGITS) - scale

    def _format_num(self, value: Any) -> decimal.Decimal:
        number = decimal.Decimal(str(value))
        if number.is_finite() and number.adjusted() >= self.digits:
            raise ValidationError(Message(
                "too large: at most %(digits)s digits before the decimal point",
                digits=self.digits))
        return super()._format_num(number)  # type: ignore[no-any-return]


def _in_years(value: dt.date) -> None:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValidationError(Message("must be between %(min)s and %(max)s",
                                      min=f"{YEARS[0]}-01-01", max=f"{YEARS[1]}-12-31"))


class NaiveUtcDateTime(mf.DateTime):
    """Datetimes are stored as naive UTC; an aware input is converted first."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime):
            result = value
        else:
            result = super()._deserialize(value, attr, data, **kwargs)
        _in_years(result)
        if result.tzinfo is not None:
            result = result.astimezone(dt.UTC).replace(tzinfo=None)
        return result


class LenientDate(mf.Date):
    """Accepts a ``date`` object (from a form) as well as ISO text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            result = value
        else:
            result = super()._deserialize(value, attr, data, **kwargs)
        _in_years(result)
        return result


def _range(f: Field) -> list[validate.Validator]:
    if f.min is None and f.max is None:
        return []
    return [Bounds(f.min, f.max, f.label)]


def _integer(f: Field) -> list[validate.Validator]:
    """The field's own range within the column's (BIGINT)."""
    low = BIGINT_RANGE[0] if f.min is None else max(f.min, BIGINT_RANGE[0])
    high = BIGINT_RANGE[1] if f.max is None else min(f.max, BIGINT_RANGE[1])
    own = f.min is not None or f.max is not None
    return [Bounds(low, high, f.label if own else None)]


def _text(f: Field, default_length: int | None) -> list[validate.Validator]:
    rules: list[validate.Validator] = []
    length = f.length or default_length
    if length:
        rules.append(MaxLength(length))
    if f.pattern:
        rules.append(Pattern(f.pattern))
    return rules


def _option(f: Field) -> Option:
    return Option([o.code for o in f.options])


def _id() -> mf.Integer:
    """A record or user id: the INTEGER columns' range."""
    return mf.Integer(strict=False, validate=Bounds(*ID_RANGE))


INPUT_FIELDS: dict[FieldType, Callable[[Field], mf.Field]] = {
    FieldType.STRING: lambda f: Text(validate=_text(f, 255)),
    FieldType.TEXT: lambda f: Text(validate=_text(f, None)),
    FieldType.INTEGER: lambda f: mf.Integer(validate=_integer(f)),
    FieldType.DECIMAL: lambda f: Amount(FieldType.DECIMAL, validate=_range(f)),
    FieldType.MONEY: lambda f: Amount(FieldType.MONEY, validate=_range(f)),
    FieldType.BOOLEAN: lambda f: mf.Boolean(),
    FieldType.DATE: lambda f: LenientDate(validate=_range(f)),
    FieldType.DATETIME: lambda f: NaiveUtcDateTime(),
    FieldType.ENUM: lambda f: Text(validate=_option(f)),
    FieldType.MULTI_ENUM: lambda f: mf.List(Text(validate=_option(f))),
    FieldType.EMAIL: lambda f: Email(validate=MaxLength(254)),
    FieldType.PHONE: lambda f: Phone(),
    FieldType.REFERENCE: lambda f: _id(),
    FieldType.USER: lambda f: _id(),
    FieldType.TAGS: lambda f: mf.List(_id()),
}


def input_schema(entity: Entity) -> Schema:
    """The schema that loads raw input for ``entity``, built once per Entity object."""
    return by_identity(_SCHEMAS, entity, lambda: _build_input_schema(entity))


_SCHEMAS: dict[int, tuple[Entity, Schema]] = {}


def load_given(entity: Entity, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``input_schema(entity).load(data)`` as (values, messages by key): each given key
    loaded by its field. The same result — the schema has no hooks, no required fields and
    no defaults — without the schema's own work for every field not given (most of a
    load's time when a form or an import row sets a third of them).

    :param data: only keys of the schema's fields.
    """
    fields = input_schema(entity).fields
    values: dict[str, Any] = {}
    problems: dict[str, Any] = {}
    for key, field in fields.items():  # the schema's order, as its load gives
        if key not in data:
            continue
        try:
            values[key] = field.deserialize(data[key], key, data)
        except ValidationError as exc:
            problems[key] = exc.messages
    return values, problems


def _build_input_schema(entity: Entity) -> Schema:
    declared: dict[str, mf.Field] = {
        f.code: INPUT_FIELDS[f.type](f) for f in entity.fields}
    declared["owner"] = _id()
    for name, field in declared.items():
        field.allow_none = True
        field.data_key = name
    schema_cls = Schema.from_dict(declared, name=f"{entity.code.title()}Input")
    return schema_cls(unknown=EXCLUDE)
