"""``config/leads.yaml``: the lead life-cycle rules (numbering, screening, 查重, grading,
assignment, pools, SLAs), and each business unit's ``leads:`` overlay in ``units/*.yaml``.

A unit's overlay is merged key by key into the base (mappings merge, lists and values
replace): ``leads: {sla: {first_touch: {preset: uniform_3wd}}}`` changes one preset and
keeps everything else. The merged result is shape-checked and cross-checked like the base;
a problem is reported in the file and line that brought the value.

This module owns the marshmallow shape; ``lead_checks`` the cross-checks and the compiled
rules (``lead_rules``).
"""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, validate, validates
from marshmallow import fields as mf

from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.task_rules import TaskRuleSchema
from leadloom.rules import ExpressionError, parse_duration

FILE = "leads.yaml"
ACTIONS = ("review", "flag")
DUPLICATE_ACTIONS = ("block", "block_unless_visible", "warn")
MATCHES = ("exact", "fuzzy")
STRATEGIES = ("round_robin", "weighted", "least_loaded")
KEYS = ("phone", "email", "company", "credit_code")
#: what a new lead is matched on against existing accounts (contact phone, e-mail, name)
CUSTOMER_KEYS = ("phone", "email", "company")


def _one_of(choices: tuple[str, ...], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what} '{{input}}' (known: "
                                         f"{', '.join(choices)})")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Duration(mf.String):
    """``48h``, ``7d`` or ``3wd``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = str(value)
        try:
            parse_duration(text)
        except ExpressionError as exc:
            raise ValidationError(exc.message) from None
        return text


def _count(most: int, default: int) -> mf.Integer:
    return mf.Integer(load_default=default, validate=validate.Range(
        min=0, max=most, error="give a number from {min} to {max}"))


_code = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="'{input}' is not a code: use a-z, 0-9, _")


class CalendarSchema(_Strict):
    day_end = mf.String(load_default="18:00", validate=validate.Regexp(
        r"^([01]\d|2[0-3]):[0-5]\d$", error="'{input}' is not a time like 18:00"))
    holidays = mf.List(mf.Date(), load_default=list)
    workdays = mf.List(mf.Date(), load_default=list)


class NumberingSchema(_Strict):
    pattern = mf.String(load_default="{source.code}-{created_at:%Y%m%d}-{seq:3}")


class ScreeningRuleSchema(_Strict):
    code = mf.String(required=True, validate=_code)
    when = mf.String(required=True)
    action = mf.String(load_default="review", validate=_one_of(ACTIONS, "action"))


class ScreeningSchema(_Strict):
    status = mf.String(load_default="to_verify")
    invalid_status = mf.String(load_default="invalid")
    rules = mf.List(mf.Nested(ScreeningRuleSchema), load_default=list)


class DuplicateRuleSchema(_Strict):
    code = mf.String(required=True, validate=_code)
    key = mf.String(required=True, validate=_one_of(KEYS, "key"))
    match = mf.String(load_default="exact", validate=_one_of(MATCHES, "match"))
    action = mf.String(load_default="warn", validate=_one_of(DUPLICATE_ACTIONS, "action"))
    threshold = mf.Float(load_default=0.92, validate=validate.Range(
        min=0.5, max=1.0, error="give a similarity from {min} to {max}"))


class DuplicatesSchema(_Strict):
    rules = mf.List(mf.Nested(DuplicateRuleSchema), load_default=list)
    ignore_statuses = mf.List(mf.String(), load_default=lambda: ["invalid"])
    merge_roles = mf.List(mf.String(), load_default=lambda: ["supervisor"])


class CaseSchema(_Strict):
    when = mf.String(required=True)
    value = mf.String(required=True, allow_none=True)


class GradingSchema(_Strict):
    let = mf.Dict(keys=mf.String(validate=_code), values=mf.String(), load_default=dict)
    grade = mf.List(mf.Nested(CaseSchema), load_default=list)
    value = mf.List(mf.Nested(CaseSchema), load_default=list)


class TargetSchema(_Strict):
    roles = mf.List(mf.String(), load_default=list)
    users = mf.Dict(keys=mf.String(), values=mf.Integer(validate=validate.Range(
        min=1, max=100, error="give a weight from {min} to {max}")), load_default=dict)
    unit = mf.String(load_default=None, allow_none=True)


class AssignmentRuleSchema(_Strict):
    code = mf.String(required=True, validate=_code)
    zh = mf.String()
    en = mf.String()
    when = mf.String(load_default="true")
    to = mf.Nested(TargetSchema, required=True)
    strategy = mf.String(load_default="round_robin", validate=_one_of(STRATEGIES, "strategy"))
    cap = mf.Integer(load_default=None, allow_none=True, validate=validate.Range(
        min=1, max=100000, error="give a number from {min} to {max}"))


class TerritorySchema(_Strict):
    code = mf.String(required=True, validate=_code)
    when = mf.String(required=True)
    unit = mf.String(required=True)


class AssignmentSchema(_Strict):
    keep_creator_roles = mf.List(mf.String(), load_default=lambda: ["rep"])
    territories = mf.List(mf.Nested(TerritorySchema), load_default=list)
    default_unit = mf.String(load_default=None, allow_none=True)
    existing_customer = mf.List(mf.String(validate=_one_of(CUSTOMER_KEYS, "key")),
                                load_default=list)
    rules = mf.List(mf.Nested(AssignmentRuleSchema), load_default=list)


class ReclaimSchema(_Strict):
    after_days = _count(3650, 45)
    warn_days = _count(365, 3)
    exclude = mf.String(load_default=None, allow_none=True)


class PoolsSchema(_Strict):
    claim_roles = mf.List(mf.String(), load_default=lambda: ["rep"])
    manager_roles = mf.List(mf.String(), load_default=lambda: ["supervisor"])
    claims_per_day = _count(10_000, 20)
    holding_cap = _count(1_000_000, 300)
    cooldown_days = _count(3650, 7)
    release_reason_required = mf.Boolean(load_default=True)
    reclaim = mf.Nested(ReclaimSchema, load_default=lambda: ReclaimSchema().load({}))


class ByGradeSchema(_Strict):
    preset = mf.String(required=True)
    presets = mf.Dict(keys=mf.String(), values=mf.Dict(keys=mf.String(), values=_Duration()),
                      required=True)


class FirstTouchSchema(ByGradeSchema):
    warn_before = mf.Dict(keys=mf.String(), values=_Duration(), load_default=dict)


class SlaSchema(_Strict):
    first_touch = mf.Nested(FirstTouchSchema, required=True)
    cadence = mf.Nested(ByGradeSchema, required=True)
    stale_after_days = _count(3650, 30)
    followup_late_after = _Duration(load_default="24h")
    followup_max_backdate = _Duration(load_default="7d")


class QuietHoursSchema(_Strict):
    start = mf.String(data_key="from", required=True)
    end = mf.String(data_key="to", required=True)
    exempt = mf.List(mf.String(), load_default=list)


class LeadsSchema(_Strict):
    calendar = mf.Nested(CalendarSchema, load_default=lambda: CalendarSchema().load({}))
    lists = mf.Dict(keys=mf.String(validate=_code), values=mf.List(mf.String()),
                    load_default=dict)
    open_statuses = mf.List(mf.String(), load_default=lambda: [
        "new", "to_verify", "unassigned", "assigned", "contacting", "nurturing"])
    numbering = mf.Nested(NumberingSchema, load_default=lambda: NumberingSchema().load({}))
    screening = mf.Nested(ScreeningSchema, load_default=lambda: ScreeningSchema().load({}))
    duplicates = mf.Nested(DuplicatesSchema, load_default=lambda: DuplicatesSchema().load({}))
    grading = mf.Nested(GradingSchema, load_default=lambda: GradingSchema().load({}))
    assignment = mf.Nested(AssignmentSchema, load_default=lambda: AssignmentSchema().load({}))
    pools = mf.Nested(PoolsSchema, load_default=lambda: PoolsSchema().load({}))
    sla = mf.Nested(SlaSchema, required=True)
    schedule = mf.Dict(keys=mf.String(), values=mf.String(), load_default=dict)
    task_rules = mf.List(mf.Nested(TaskRuleSchema), load_default=list)
    quiet_hours = mf.Nested(QuietHoursSchema, load_default=None)

    @validates("open_statuses")
    def _statuses(self, value: list[str], **_: Any) -> None:
        if not value:
            raise ValidationError("name at least one open status")


#: every schema of leads.yaml, for "did you mean" hints on unknown keys
SCHEMAS = (LeadsSchema, CalendarSchema, NumberingSchema, ScreeningRuleSchema, ScreeningSchema,
           DuplicateRuleSchema, DuplicatesSchema, CaseSchema, GradingSchema, TargetSchema,
           AssignmentRuleSchema, TerritorySchema, AssignmentSchema, ReclaimSchema, PoolsSchema,
           ByGradeSchema, FirstTouchSchema, SlaSchema, TaskRuleSchema, QuietHoursSchema)
def merged(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``overlay`` merged into a copy of ``base``: mappings merge, anything else replaces."""
    result = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def unit_overlays(parts: ConfigParts) -> dict[str, tuple[Part, dict[str, Any]]]:
    """unit → (its file, its ``leads:`` overlay) for units that have one."""
    return {unit: (part, part.data["leads"]) for unit, part in sorted(parts.units.items())
            if part.data.get("leads")}


def base_data(parts: ConfigParts) -> dict[str, Any] | None:
    """The raw YAML of leads.yaml (what overlays merge into), if it loaded."""
    part = parts.leads
    return part.doc.data if part is not None and isinstance(part.doc.data, dict) else None
