"""How numbers, money, shares and dates read in a report (Jinja filters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment
from markupsafe import Markup


def money(value: Any, locale: str = "zh") -> str:
    """``¥1,234,567``; amounts of a million yuan or more also read in 万 in Chinese."""
    if value is None:
        return "—"
    amount = float(value)
    if locale != "en" and abs(amount) >= 1_000_000:
        return f"¥{amount / 10_000:,.1f}万"
    return f"¥{amount:,.0f}"


def number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{digits}f}"


def percent(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def points(value: Any) -> str:
    """A difference of two shares in percentage points, signed."""
    return "—" if value is None else f"{float(value) * 100:+.1f} pp"


def day(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def css_string(value: Any) -> Markup:
    """Text for a CSS string inside a ``<style>`` element (margin-box headers): quotes,
    backslashes, line breaks and ``<`` ``>`` ``&`` escaped the CSS way."""
    out = []
    for char in str(value):
        if char in "\\\"<>&" or char in "\n\r":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup("".join(out))


def install(env: Environment) -> None:
    env.filters.update(money=money, number=number, percent=percent, points=points, day=day,
                       css_string=css_string)
