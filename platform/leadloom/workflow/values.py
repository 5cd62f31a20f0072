"""Record values as JSON (the audit trail, approval proposals) and back as write input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A stored value as JSON: money and decimals as text, dates and times in ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {code: plain(value) for code, value in values.items()}


def same(a: Any, b: Any) -> bool:
    """Equal as stored values (``Decimal('5.0') == 5``; a list equals a tuple)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return bool(a == b)
