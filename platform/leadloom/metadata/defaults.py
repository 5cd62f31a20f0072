"""Values an admin writes for a field (``default``, ``min``, ``max``), read as its type.

Shared by the cross-checks; the rules match what ``build`` converts and the write path
accepts, so a default that passes here is one the database and forms can take.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from leadloom.metadata.field_types import CHOICE, NUMERIC, RELATION, TEXTUAL, FieldType


def as_number(value: Any) -> Decimal | None:
    """A finite number; ``.nan`` and ``.inf`` are YAML floats but no column can hold them."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def as_date(value: Any) -> dt.date | None:
    """A date from a YAML date or ``YYYY-MM-DD`` text; a date-time is not one."""
    if isinstance(value, dt.datetime):
        return None  # a date-time where a date is expected: comparing them would fail
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def as_datetime(value: Any) -> dt.datetime | None:
    """A date-time from a YAML timestamp or ISO text; a bare date is not one."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def default_problem(ftype: FieldType, value: Any, options: list[dict[str, Any]],
                    spec: dict[str, Any]) -> str | None:
    """Why ``value`` cannot be the default of a field of ``ftype``, or ``None``."""
    if ftype in RELATION:
        return f"type '{ftype}' cannot have a default"
    problem = _default_shape(ftype, value, [str(o["code"]) for o in options])
    if problem is None and (ftype in NUMERIC or ftype is FieldType.DATE):
        problem = _default_range(ftype, value, spec)
    if problem is None and ftype in TEXTUAL:
        problem = _default_text(value, spec)
    return problem


def _default_shape(ftype: FieldType, value: Any, codes: list[str]) -> str | None:
    """Whether ``value`` is a value of the type at all."""
    if ftype is FieldType.BOOLEAN and not isinstance(value, bool):
        return "default must be true or false"
    if ftype is FieldType.INTEGER and (isinstance(value, bool) or not isinstance(value, int)):
        return f"default '{value}' is not a whole number"
    if ftype in NUMERIC and as_number(value) is None:
        return f"default '{value}' is not a number"
    if ftype is FieldType.DATE and as_date(value) is None:
        return f"default '{value}' is not a date (YYYY-MM-DD)"
    if ftype is FieldType.DATETIME and as_datetime(value) is None:
        return f"default '{value}' is not a date-time (YYYY-MM-DD HH:MM:SS)"
    values = value if ftype is FieldType.MULTI_ENUM and isinstance(value, list) else [value]
    wrong = [str(v) for v in values if str(v) not in codes]
    if ftype in CHOICE and codes and wrong:
        return f"default '{wrong[0]}' is not an option (known: {', '.join(codes)})"
    return None


def _default_range(ftype: FieldType, value: Any, spec: dict[str, Any]) -> str | None:
    """Whether a number or date default lies within the field's own min and max."""
    parse: Callable[[Any], Any] = as_date if ftype is FieldType.DATE else as_number
    given = parse(value)
    low, high = parse(spec.get("min")), parse(spec.get("max"))
    if given is None:
        return None
    if low is not None and given < low:
        return f"default {value} is below min {spec['min']}"
    if high is not None and given > high:
        return f"default {value} is above max {spec['max']}"
    return None


def _default_text(value: Any, spec: dict[str, Any]) -> str | None:
    """Text defaults obey the field's own length and pattern (matched as the forms do)."""
    if not isinstance(value, str):
        return "default must be text: put it in quotes"
    if spec.get("length") and len(value) > spec["length"]:
        return f"default is longer than length {spec['length']}"
    if spec.get("pattern") and not re.match(spec["pattern"], value):
        return f"default '{value}' does not match the field's pattern"
    return None
