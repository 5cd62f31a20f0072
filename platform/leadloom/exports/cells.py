"""How one stored value reads in an exported file: option labels, names, money in 元 with
two decimals, times in the app's zone, and text made inert for spreadsheets.

Values come typed (numbers, ``Decimal``, dates) so an XLSX writer makes real number and
date cells; the CSV writer turns them into text with ``as_text``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

#: a text starting with one of these is a formula to a spreadsheet (OWASP CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CENTS = Decimal("0.01")


def inert(text: str) -> str:
    """``text`` that no spreadsheet runs as a formula: a leading ``'`` where needed."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def money(value: Any) -> Decimal | None:
    """An amount in 元, rounded to the fen."""
    return None if value is None else Decimal(value).quantize(CENTS)


def local(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """A stored (naive UTC) time as a naive time in ``zone``: what Excel shows as is."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None, microsecond=0)


def as_text(value: Any) -> str:
    """A cell's value as CSV text: money with two decimals, times to the minute."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
