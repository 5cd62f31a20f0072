"""``task_rules:`` in leads.yaml: tasks a record event makes, and closes, on its own.

A rule listens to one event: ``followup`` (a follow-up is logged; its ``when`` reads the
follow-up's fields) or ``lead`` (a lead is saved, and the hourly ``tasks`` job looks again,
so a date passing counts; ``when`` reads the lead's fields, and ``old.x``/``new.x`` around a
save, so "stage entered" is ``new.stage == 'solution' and old.stage != 'solution'``). When
it matches, a task named ``zh``/``en`` of ``kind`` goes to the lead's owner, the follow-up's
author or a role of the lead's unit, due ``due`` (``2wd``, ``4h``) after the event on the
working-day calendar. ``done_when`` (over the lead) closes the task once it holds.

One event makes one task at most: a follow-up rule once per follow-up, a lead rule once per
lead, or once per value of the field ``once_per`` (a new expected close date, a new stage).

This module owns the shape (``TaskRuleSchema``) and the frozen rules; ``lead_checks`` checks
the expressions against the fields and builds them with ``build_task_rule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, validate, validates
from marshmallow import fields as mf

from leadloom.metadata.registry import Label
from leadloom.rules import Duration, Expression, ExpressionError, parse_duration

#: what a rule listens to → the entity its ``when`` reads
EVENTS = {"followup": "followup", "lead": "lead"}
#: who gets the task besides a role of the lead's unit (``{role: supervisor}``)
ASSIGNEES = ("owner", "author")


class TaskRuleSchema(Schema):
    class Meta:
        unknown = RAISE

    code = mf.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]*$", error="'{input}' is not a code: use a-z, 0-9, _"))
    zh = mf.String(required=True, validate=validate.Length(min=1, max=120))
    en = mf.String(required=True, validate=validate.Length(min=1, max=120))
    event = mf.String(required=True, validate=validate.OneOf(
        tuple(EVENTS), error=f"unknown event '{{input}}' (known: {', '.join(EVENTS)})"))
    when = mf.String(load_default="true")
    kind = mf.String(load_default="other")
    #: owner, author, or {role: CODE}
    assignee = mf.Raw(load_default="owner")
    due = mf.String(required=True)
    done_when = mf.String(load_default=None, allow_none=True)
    once_per = mf.String(load_default=None, allow_none=True)

    @validates("due")
    def _due(self, value: str, **_: Any) -> None:
        try:
            parse_duration(value)
        except ExpressionError as exc:
            raise ValidationError(exc.message) from None

    @validates("assignee")
    def _assignee(self, value: Any, **_: Any) -> None:
        if value in ASSIGNEES:
            return
        if isinstance(value, dict) and list(value) == ["role"] and isinstance(
                value["role"], str):
            return
        raise ValidationError("write owner, author or {role: CODE} (a role of the lead's unit)")


@dataclass(frozen=True, slots=True)
class TaskRule:
    code: str
    label: Label
    #: followup or lead (``EVENTS``)
    event: str
    when: Expression
    #: an option of the task's ``kind`` field
    kind: str
    #: owner, author or role
    assignee: str
    due: Duration
    #: over the lead: true → the rule's open tasks on it are done
    done_when: Expression | None = None
    #: a lead field: one task per value it takes (lead rules)
    once_per: str | None = None
    #: the role, when ``assignee`` is role
    role: str | None = None


Path = tuple[str | int, ...]
#: compiles an expression at a path against an entity's fields ('lead' with old./new.)
Compile = Callable[[Path, str, str], Expression]


def build_task_rule(path: Path, data: dict[str, Any], compile_at: Compile,
                    problem: Callable[[Path, str], None], kinds: list[str],
                    lead_fields: dict[str, str], roles: set[str]) -> TaskRule:
    """A checked ``TaskRule``; problems go to ``problem`` (path, message)."""
    if kinds and data["kind"] not in kinds:
        problem((*path, "kind"), f"'{data['kind']}' is not an option of the task's kind "
                                 f"(known: {', '.join(kinds)})")
    raw = data["assignee"]
    role = raw["role"] if isinstance(raw, dict) else None
    if role is not None and roles and role not in roles:
        problem((*path, "assignee", "role"), f"unknown role '{role}' (known: "
                                             f"{', '.join(sorted(roles))})")
    if raw == "author" and data["event"] != "followup":
        problem((*path, "assignee"), "author is the follow-up's: use it with event: followup")
    once = data["once_per"]
    if once is not None and (data["event"] != "lead" or once not in lead_fields):
        problem((*path, "once_per"), f"'{once}' is not a lead field (once_per is for "
                                     "event: lead)")
    done = data["done_when"]
    return TaskRule(
        code=data["code"], label=Label(data["zh"], data["en"]), event=data["event"],
        when=compile_at((*path, "when"), data["when"], EVENTS[data["event"]]),
        kind=data["kind"], assignee="role" if role else str(raw),
        due=parse_duration(data["due"]),
        done_when=compile_at((*path, "done_when"), done, "lead") if done else None,
        once_per=once, role=role)
