"""Grading (R-05/R-06): the BNAU grade (A/B/C) and the 高/中/低 value from the ordered
cases in config, first match wins; a supervisor's override with a reason.

``grade_auto`` is what the rules say, ``grade_override`` what a person set, ``grade`` the
one in force (the override if any). Writing ``grade`` as a user is an override: it needs
``grade_reason`` when the rules had graded the lead; writing it back to the rules' grade
(or empty) removes the override. Every change of either is kept in the lead's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from leadloom.metadata.lead_rules import Case, Grading
from leadloom.records.leads.state import LeadWrite


def evaluate(grading: Grading, values: Mapping[str, Any], now: dt.datetime
             ) -> tuple[str | None, str | None]:
    """(grade, value) for ``values``: lets first, then the first matching case of each."""
    scope = dict(values)
    for name, expr in grading.lets:
        scope[name] = expr.evaluate(scope, now=now)
    return _first(grading.grade, scope, now), _first(grading.value, scope, now)


def _first(cases: tuple[Case, ...], scope: dict[str, Any], now: dt.datetime) -> str | None:
    return next((c.value for c in cases if c.when.test(scope, now=now)), None)


def grade(w: LeadWrite) -> None:
    """Set grade_auto, value_level, grade_override and grade; note a grade event."""
    before = w.change.before
    auto, value = evaluate(w.rules.grading, w.expression_values(), w.now)
    override = _override(w, auto)
    effective = override or auto
    w.set("grade_auto", auto)
    w.set("value_level", value)
    w.set("grade_override", override)
    if w.creating or effective != before.get("grade"):
        w.set("grade", effective)
    auto_before = before.get("grade_auto")
    if w.creating or effective != before.get("grade") or auto != auto_before:
        w.grade_event = {"old": before.get("grade"), "new": effective,
                         "auto_old": auto_before, "auto_new": auto, "override": override,
                         "reason": w.values.get("grade_reason") if override else None,
                         **w.ctx.meta.get("grade_event", {})}


def _override(w: LeadWrite, auto: str | None) -> str | None:
    """The manual grade after this write (``None``: the rules' grade is in force)."""
    change = w.change
    stored = change.before.get("grade_override")
    if w.history:
        given = change.values.get("grade")
        return given if given and given != auto else None
    if "grade" not in change.values or (change.values.get("grade") == change.before.get(
            "grade") and not w.creating):
        return stored if stored != auto else None
    wanted = change.values.get("grade")
    if not wanted or wanted == auto:
        return None
    if wanted != stored and auto is not None and not change.values.get("grade_reason"):
        change.reject("grade_reason", f"give a reason for overriding the computed grade "
                                      f"{auto} (分级调整原因 is required)")
    return wanted
