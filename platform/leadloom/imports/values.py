"""Cell text → the value the write path takes, per field type, without the database.

What people type in spreadsheets: option labels (zh/en) or codes; 是/否, yes/no, Y/N, 1/0;
dates as 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, 20240501 or an Excel serial
number; money as "15万", "150,000", "¥150000", "1.2亿" (a bare number is in the field's
unit, or the import's). Phones and e-mails are left to the write path, which normalises
and checks them. A cell that cannot be read gives a ``Message`` saying what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from leadloom.imports.mapping import key
from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Field
from leadloom.records.identity_cache import by_identity

TRUE = frozenset({"是", "对", "有", "真", "yes", "y", "true", "t", "1", "√", "✓"})
FALSE = frozenset({"否", "不是", "错", "无", "假", "no", "n", "false", "f", "0", "×", "✗"})
#: separators between the values of a multi-choice or tags cell
LIST_SEPARATORS = re.compile(r"[,，;；、|/\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(\.\d+)?$")
_TIME = re.compile(r"^(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?)?秒?$")
_MONEY = re.compile(r"^(?:[¥￥]|rmb|cny)?\s*([-+]?[\d,，]*\.?\d+)\s*(亿元?|万元?|w|元|rmb|cny)?$",
                    re.IGNORECASE)
#: 1899-12-30 is Excel's day 0 (its 1900 leap-year bug included)
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serials from 1900-03-01 to 2200-12-31
SERIALS = (61, 110_960)
MONEY_FACTORS = {"亿": 100_000_000, "亿元": 100_000_000, "万": 10_000, "万元": 10_000,
                 "w": 10_000, "元": 1, "rmb": 1, "cny": 1}


class CellProblem(Exception):
    """The cell's text is not a value of its field; ``message`` says what is expected."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def convert(f: Field, text: str, money_unit: MoneyUnit | None = None) -> Any:
    """The input value for field ``f`` from cell ``text`` (never empty; the caller skips
    empty cells); references, users and tags stay text (``references`` resolves them).

    :raises CellProblem: the text is no value of the field's type.
    """
    kind = f.type
    if kind is FieldType.BOOLEAN:
        return boolean(text)
    if kind is FieldType.DATE:
        return date(text)
    if kind is FieldType.DATETIME:
        return moment(text)
    if kind is FieldType.MONEY:
        return money(text, money_unit or f.unit)
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        return number(text, integer=kind is FieldType.INTEGER)
    if kind is FieldType.ENUM:
        return option(f, text)
    if kind is FieldType.MULTI_ENUM:
        return [option(f, part) for part in split(text)]
    return text


def split(text: str) -> list[str]:
    """The values of a multi-value cell ("A、B, C")."""
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def boolean(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise CellProblem(Message("'%(text)s' is not yes or no (是/否)", text=text))


def date(text: str) -> dt.date:
    """A date in one of the common forms, or an Excel serial day number."""
    value = text.strip()
    if " " in value or "T" in value:  # a date cell that holds a time: the day counts
        value = re.split(r"[ T]", value, maxsplit=1)[0]
    found = _DATE.match(value) or _COMPACT_DATE.match(value)
    try:
        if found:
            return dt.date(*(int(g) for g in found.groups()))
        if _SERIAL.match(value) and SERIALS[0] <= float(value) <= SERIALS[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    except ValueError:
        pass
    raise CellProblem(Message("'%(text)s' is not a date (e.g. 2024-05-01 or 2024年5月1日)",
                              text=text))


def moment(text: str) -> dt.datetime:
    """A date with an optional time of day (local time; the write path stores UTC)."""
    value = text.strip().replace("T", " ")
    day, _, rest = value.partition(" ")
    if not rest and _SERIAL.match(value) and "." in value:
        whole = float(value)
        return dt.datetime.combine(date(str(int(whole))), dt.time()) + dt.timedelta(
            days=whole - int(whole))
    clock = _TIME.match(rest.strip()) if rest else None
    if rest and not clock:
        raise CellProblem(Message("'%(text)s' is not a date and time "
                                  "(e.g. 2024-05-01 14:30)", text=text))
    hour, minute, second = (int(g or 0) for g in clock.groups()) if clock else (0, 0, 0)
    try:
        return dt.datetime.combine(date(day), dt.time(hour, minute, second))
    except ValueError:
        raise CellProblem(Message("'%(text)s' is not a date and time "
                                  "(e.g. 2024-05-01 14:30)", text=text)) from None


def money(text: str, unit: MoneyUnit) -> Decimal:
    """An amount in 元: "15万" is 150000, a bare number is in ``unit``."""
    found = _MONEY.match(text.strip().replace(" ", ""))
    if not found:
        raise CellProblem(Message("'%(text)s' is not an amount (e.g. 150000, 15万 or ¥150,000)",
                                  text=text))
    digits, suffix = found.groups()
    factor = MONEY_FACTORS[suffix.lower()] if suffix else unit.factor
    return _decimal(digits, text) * factor


def number(text: str, *, integer: bool) -> Decimal | int:
    value = text.strip().replace(",", "").replace("，", "").rstrip("%")
    amount = _decimal(value, text)
    if not integer:
        return amount
    if amount != amount.to_integral_value():
        raise CellProblem(Message("'%(text)s' is not a whole number", text=text))
    return int(amount)


def _decimal(digits: str, text: str) -> Decimal:
    try:
        amount = Decimal(digits.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise CellProblem(Message("'%(text)s' is not a number", text=text)) from None
    if not amount.is_finite():
        raise CellProblem(Message("'%(text)s' is not a number", text=text))
    return amount


def option(f: Field, text: str) -> str:
    """The code of the option whose code or label (zh/en) ``text`` is."""
    found = _options(f).get(key(text))
    if found is not None:
        return found
    shown = "、".join(o.label.zh for o in f.options if o.active)
    raise CellProblem(Message("'%(text)s' is not one of: %(options)s", text=text,
                              options=shown))


def _options(f: Field) -> dict[str, str]:
    """Compared text → option code for ``f`` (built once per Field object)."""
    def build() -> dict[str, str]:
        table: dict[str, str] = {}
        for o in f.options:
            for name in (o.code, o.label.zh, o.label.en):
                table.setdefault(key(name), o.code)
        return table

    return by_identity(_OPTIONS, f, build)


_OPTIONS: dict[int, tuple[Field, dict[str, str]]] = {}
