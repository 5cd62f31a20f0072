"""Operators at run time: null-safe, and never raising on odd stored values.

A comparison with an empty value is false (``==``/``!=`` compare with empty normally),
arithmetic with an empty value is empty, division by zero is empty.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    """Dates against times compare on the time's date; numbers across int/Decimal/float."""
    if isinstance(a, dt.datetime) and type(b) is dt.date:
        return a.date(), b
    if type(a) is dt.date and isinstance(b, dt.datetime):
        return a, b.date()
    if isinstance(a, float) and isinstance(b, Decimal):
        return Decimal(str(a)), b
    if isinstance(a, Decimal) and isinstance(b, float):
        return a, Decimal(str(b))
    return a, b


def equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = _comparable(a, b)
    return bool(a == b)


def order(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    a, b = _comparable(a, b)
    try:
        return ORDER[op](a, b)
    except TypeError:
        return False


def member(item: Any, container: Any) -> bool:
    if item is None or container is None:
        return False
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if type(item) is str and type(container) is list:
        return item in container  # what ``equal`` gives for text, without a call per item
    try:
        return any(equal(item, c) for c in container)
    except TypeError:
        return False


def arithmetic(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, Decimal) or isinstance(b, Decimal) or isinstance(a, float) or isinstance(
            b, float):
        a, b = Decimal(str(a)), Decimal(str(b))
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        return a / b if isinstance(a, Decimal) else Decimal(a) / Decimal(b)
    except (TypeError, InvalidOperation):
        return None


def negate(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return None
    try:
        return -value
    except TypeError:
        return None


def truthy(value: Any) -> bool:
    """``and``/``or``/``not`` and ``when`` conditions: empty values are false."""
    return bool(value) if value not in (None, "") else False
