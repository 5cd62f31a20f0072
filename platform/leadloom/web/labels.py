"""Labels in the user's language (zh by default, en on request) and display values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import LazyString, get_locale, gettext

from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Field, Label
from leadloom.web.state import state

#: How a boolean reads (``web.language.translated`` imports this module, so: ``gettext``).
YES, NO = Message("Yes"), Message("No")
#: an amount in 万 (10,000 元), as a 万 money field shows it
IN_WAN = Message("%(amount)s × 10k CNY")


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
        return money(field, value)
    if field.type is FieldType.BOOLEAN:
        return str(gettext(YES if value else NO))
    if field.type is FieldType.DATETIME and isinstance(value, dt.datetime):
        return local_time(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def money(field: Field, value: Any) -> str:
    """``¥150,000.00`` in a 元 field; ``15 万`` in a 万 field (the stored value is 元)."""
    if field.unit is MoneyUnit.WAN:
        amount = in_unit(field.unit, Decimal(value))
        return str(gettext(IN_WAN.msgid, amount=f"{amount:,f}"))
    return f"¥{Decimal(value):,.2f}"


def in_unit(unit: MoneyUnit, value: Decimal) -> Decimal:
    """A stored 元 amount in ``unit``, without trailing zeros: 150000.00 元 → 15 万."""
    amount = (value / unit.factor).normalize()
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in the app's time zone (Asia/Shanghai by default)."""
    zone = ZoneInfo(state().registry.app.timezone)
    return value.replace(tzinfo=dt.UTC).astimezone(zone)


def display_option(field: Field, code: str, locale: str) -> str:
    option = field.option(code)
    return option.label.get(locale) if option else code
