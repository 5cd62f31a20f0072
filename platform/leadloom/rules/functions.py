"""The functions an expression may call: pure, typed, and each docstring is its user help.

A function is added here and to ``FUNCTIONS``; nothing else is callable. Functions that
need the evaluation's clock or working-day calendar take an ``Env`` first — it is passed
by the evaluator, never written in an expression.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from leadloom.rules.calendar import WorkCalendar
from leadloom.rules.kinds import Kind
from leadloom.rules.phones import normalize_phone

A, B, N, T, D, L = Kind.ANY, Kind.BOOL, Kind.NUMBER, Kind.TEXT, Kind.DATETIME, Kind.LIST


@dataclass(frozen=True, slots=True)
class Env:
    """What an evaluation runs against: ``now`` (naive UTC) and the calendar."""

    now: dt.datetime
    calendar: WorkCalendar


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    call: Callable[..., Any]
    args: tuple[Kind, ...]
    returns: Kind
    needs_env: bool = False

    @property
    def help(self) -> str:
        return (self.call.__doc__ or "").strip()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def now(env: Env) -> dt.datetime:
    """The current time. ``hours_since(assigned_at) > 48`` reads better than ``now()``."""
    return env.now


def today(env: Env) -> dt.date:
    """Today's date in the app's time zone (Asia/Shanghai)."""
    return env.calendar.local_date(env.now)


def days_since(env: Env, value: dt.date | dt.datetime | None) -> int | None:
    """Calendar days from the date of ``value`` to today (local dates); empty → empty.
    ``days_since(last_followup_at) >= 30`` is true 30 days after the last follow-up."""
    if value is None:
        return None
    return (today(env) - env.calendar.local_date(value)).days


def hours_since(env: Env, value: dt.datetime | None) -> Decimal | None:
    """Hours from ``value`` until now, with decimals; empty → empty."""
    if not isinstance(value, dt.datetime):
        return None
    seconds = (env.now - value.replace(tzinfo=None)).total_seconds()
    return Decimal(seconds / 3600).quantize(Decimal("0.01"))


def working_days_between(env: Env, start: dt.date | dt.datetime | None,
                         end: dt.date | dt.datetime | None) -> int | None:
    """Working days after the date of ``start`` up to and including the date of ``end``,
    on the China working-day calendar (holidays and 调休 make-up days counted right)."""
    if start is None or end is None:
        return None
    return env.calendar.working_days_between(start, end)


def length(value: Any) -> int:
    """The number of characters of a text or of items in a list; empty → 0."""
    return 0 if value is None else len(value)


def lower(value: str | None) -> str | None:
    """The text in lower case (for comparing e-mail addresses or codes)."""
    return None if value is None else str(value).lower()


def upper(value: str | None) -> str | None:
    """The text in upper case."""
    return None if value is None else str(value).upper()


def is_empty(value: Any) -> bool:
    """True when the value is missing: no value, empty text or an empty list."""
    return _empty(value)


def contains(text: str | None, part: str | None) -> bool:
    """True when ``text`` contains ``part`` (ignoring upper/lower case)."""
    if text is None or part is None:
        return False
    return str(part).lower() in str(text).lower()


def starts_with(text: str | None, prefix: str | None) -> bool:
    """True when ``text`` starts with ``prefix``."""
    return text is not None and prefix is not None and str(text).startswith(str(prefix))


def coalesce(value: Any, fallback: Any) -> Any:
    """``value`` unless it is empty, else ``fallback``: ``coalesce(last_followup_at,
    assigned_at)``."""
    return fallback if _empty(value) else value


def smaller(a: Any, b: Any) -> Any:
    """The smaller of two numbers (an empty one is ignored)."""
    return b if a is None else a if b is None else min(a, b)


def larger(a: Any, b: Any) -> Any:
    """The larger of two numbers (an empty one is ignored)."""
    return b if a is None else a if b is None else max(a, b)


def absolute(value: Any) -> Any:
    """The number without its sign."""
    return None if value is None else abs(value)


def wan(value: Any) -> Any:
    """万元 to 元: ``budget_max >= wan(50)`` means a budget of at least 500,000 元."""
    return None if value is None else Decimal(str(value)) * 10000


#: An address as people type it: something@domain.tld, no spaces (the write path's own
#: e-mail check is stricter; this one finds the values an intake kept as given)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def is_phone(value: str | None) -> bool:
    """True when the text is a mainland mobile or landline number, in any ``+86`` or
    separator form: ``not is_empty(contact_phone) and not is_phone(contact_phone)`` finds a
    phone kept as given from outside."""
    return value is not None and normalize_phone(str(value)) is not None


def is_email(value: str | None) -> bool:
    """True when the text looks like an e-mail address (``name@example.com``)."""
    return value is not None and _EMAIL.match(str(value).strip()) is not None


def _fn(name: str, call: Callable[..., Any], args: tuple[Kind, ...], returns: Kind,
        needs_env: bool = False) -> Function:
    return Function(name, call, args, returns, needs_env)


#: The allowlist: name in expressions → function.
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("now", now, (), D, True),
    _fn("today", today, (), Kind.DATE, True),
    _fn("days_since", days_since, (D,), N, True),
    _fn("hours_since", hours_since, (D,), N, True),
    _fn("working_days_between", working_days_between, (D, D), N, True),
    _fn("len", length, (A,), N),
    _fn("lower", lower, (T,), T),
    _fn("upper", upper, (T,), T),
    _fn("is_empty", is_empty, (A,), B),
    _fn("contains", contains, (T, T), B),
    _fn("starts_with", starts_with, (T, T), B),
    _fn("coalesce", coalesce, (A, A), A),
    _fn("min", smaller, (N, N), N),
    _fn("max", larger, (N, N), N),
    _fn("abs", absolute, (N,), N),
    _fn("wan", wan, (N,), N),
    _fn("is_phone", is_phone, (T,), B),
    _fn("is_email", is_email, (T,), B),
)}
