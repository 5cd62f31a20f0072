"""Labels in the user's language (zh by default, en on request) and display values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import LazyString, get_locale, gettext

from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, Label
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


def lazy_titled(msgid: str, label: Label) -> LazyString:
    """``msgid`` ("New %(entity)s") with the entity's label, both in the request's language."""
    return LazyString(lambda: gettext(msgid, entity=label.get(current_locale())))


def display(field: Field, value: Any) -> str:
    """How a stored value reads on a page: option labels, money with separators, dates."""
    if value is None or value == [] or value == "":
        return ""
    locale = current_locale()
    if field.plugin_type is not None:
        return state().registry.plugins.field_types[field.plugin_type].display(value, locale)
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


def local_time(value: dt.datetime, zone: ZoneInfo | None = None) -> dt.datetime:
    """A stored (naive UTC) time in the app's time zone (Asia/Shanghai by default);
    ``zone``: that zone, when the caller converts many."""
    zone = zone or ZoneInfo(state().registry.app.timezone)
    return value.replace(tzinfo=dt.UTC).astimezone(zone)


def field_title(entity: Entity, code: str) -> str:
    """A field's label in the user's language (the code of a field the entity lacks)."""
    return entity.field(code).label.get(current_locale()) if entity.has_field(code) else code


def display_option(field: Field, code: str, locale: str) -> str:
    option = field.option(code)
    return option.label.get(locale) if option else code


def unit_label(code: str | None) -> str:
    """A business unit's name ("east" → 华东大区); an unknown code as it is."""
    unit = next((u for u in state().registry.units if u.code == code), None)
    return unit.label.get(current_locale()) if unit else code or ""


def team_label(code: str | None) -> str:
    """A team's name ("east-1" → 华东一组); an unknown code as it is."""
    team = next((t for u in state().registry.units for t in u.teams if t.code == code), None)
    return team.label.get(current_locale()) if team else code or ""


def role_label(code: str) -> str:
    """A role's name ("rep" → 销售代表); a role the config lacks (FAB's own) as it is."""
    role = next((r for r in state().registry.roles if r.code == code), None)
    return role.label.get(current_locale()) if role else code


def user_place(username: str, team: str | None, unit: str | None) -> str:
    """Who and where, for a page header: "rep1 · 华东一组 · 华东大区"."""
    return " · ".join(p for p in (username, team_label(team), unit_label(unit)) if p)
