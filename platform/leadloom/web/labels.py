"""Labels in the user's language (zh by default, en on request) and display values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import LazyString, get_locale, gettext

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, Label
from leadloom.web.state import state

#: How a boolean reads (``web.language.translated`` imports this module, so: ``gettext``).
YES, NO = Message("Yes"), Message("No")


def current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "zh"


def lazy(label: Label) -> LazyString:
    """A label that renders in the language of the request it is rendered in."""
    return LazyString(lambda: label.get(current_locale()))


def display(field: Field, value: Any) -> str:
    """How a stored value reads on a page: option labels, money with separators, dates."""
    if value is None or value == [] or value == "":
        return ""
    locale = current_locale()
    if field.type is FieldType.ENUM:
        option = field.option(value)
        return option.label.get(locale) if option else str(value)
    if field.type is FieldType.MULTI_ENUM:
        return "、".join(display_option(field, code, locale) for code in value)
    if field.type is FieldType.TAGS:
        return "、".join(str(t) for t in value)
    if field.type is FieldType.MONEY:
        return f"¥{Decimal(value):,.2f}"
    if field.type is FieldType.BOOLEAN:
        return str(gettext(YES if value else NO))
    if field.type is FieldType.DATETIME and isinstance(value, dt.datetime):
        return local_time(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in the app's time zone (Asia/Shanghai by default)."""
    zone = ZoneInfo(state().registry.app.timezone)
    return value.replace(tzinfo=dt.UTC).astimezone(zone)


def field_title(entity: Entity, code: str) -> str:
    """A field's label in the user's language (the code of a field the entity lacks)."""
    return entity.field(code).label.get(current_locale()) if entity.has_field(code) else code


def display_option(field: Field, code: str, locale: str) -> str:
    option = field.option(code)
    return option.label.get(locale) if option else code
