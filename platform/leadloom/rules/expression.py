"""``compile_expression``: the public entry point of the expression language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadloom.rules.calendar import DEFAULT_CALENDAR, WorkCalendar
from leadloom.rules.functions import Env, Function
from leadloom.rules.kinds import Kind
from leadloom.rules.parser import Compiler, Run


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression, ready to evaluate against a record's values.

    ``names`` are the fields it reads; ``kind`` the kind of value it gives.
    """

    text: str
    names: frozenset[str]
    kind: Kind
    calendar: WorkCalendar = field(repr=False)
    _run: Run = field(repr=False)

    def evaluate(self, values: Mapping[str, Any], *, now: dt.datetime | None = None) -> Any:
        """The value for ``values`` (field code → value; missing fields are empty).

        :param now: the time ``now()``, ``today()`` and ``days_since()`` use (naive UTC or
            aware); default: the current time.
        """
        moment = now or dt.datetime.now(dt.UTC)
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return self._run(values, Env(moment, self.calendar))

    def test(self, values: Mapping[str, Any], *, now: dt.datetime | None = None) -> bool:
        """The value read as a condition: empty and false values are false."""
        value = self.evaluate(values, now=now)
        return bool(value) if value not in (None, "") else False


def compile_expression(text: str, fields: Mapping[str, str], *,
                       options: Mapping[str, Collection[str]] | None = None,
                       calendar: WorkCalendar | None = None,
                       functions: Mapping[str, Function] | None = None) -> Expression:
    """Check ``text`` and compile it; nothing of Python but the allowlist can run.

    :param fields: the names the expression may use → their field type
        (``metadata.FieldType``) or kind (``rules.Kind``).
    :param options: for choice fields, their option codes: a literal compared with such a
        field must be one of them.
    :param calendar: the working-day calendar for ``working_days_between`` and the time
        zone of ``today()`` (default: China, Asia/Shanghai).
    :param functions: functions plugins add to the built-in ones (``registry.plugins``).
    :raises ExpressionError: with a message and the column of the problem.

    >>> compile_expression("budget_status == 'sufficient' and budget_max >= wan(10)",
    ...                    {"budget_status": "enum", "budget_max": "money"}).names
    frozenset({'budget_status', 'budget_max'})
    """
    compiler = Compiler(text, fields, options or {}, functions)
    kind, run = compiler.compile()
    return Expression(text, frozenset(compiler.names), kind, calendar or DEFAULT_CALENDAR,
                      run)


#: The prefixes of a write's two sides: ``old.stage`` before the write, ``new.stage`` after.
BEFORE, AFTER = "old", "new"


def with_sides(fields: Mapping[str, str]) -> dict[str, str]:
    """``fields`` plus ``old.<field>`` and ``new.<field>`` for each: the names a condition on
    a write may use, so that it can say "lost from negotiation"
    (``new.stage == 'lost' and old.stage == 'negotiation'``)."""
    sides = {f"{side}.{name}": ftype for side in (BEFORE, AFTER) for name, ftype in fields.items()}
    return {**fields, **sides}


def side_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The values a condition on a write sees: plain names and ``new.x`` as after the write,
    ``old.x`` as stored before it (empty for a new record)."""
    return {**after, **{f"{AFTER}.{k}": v for k, v in after.items()},
            **{f"{BEFORE}.{k}": v for k, v in before.items()}}
