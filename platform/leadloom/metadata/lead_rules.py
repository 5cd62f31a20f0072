"""The lead life-cycle rules as the Registry holds them: frozen, with compiled expressions.

Built by ``metadata.leads`` from ``config/leads.yaml`` and each unit's ``leads:`` overlay;
read by ``records.leads`` (the write-path hooks, pools and periodic jobs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from leadloom.metadata.registry import Label
from leadloom.metadata.task_rules import TaskRule
from leadloom.rules import Duration, Expression, WorkCalendar

#: Which lead field each duplicate key reads.
DUPLICATE_KEYS = {"phone": "contact_phone", "email": "contact_email",
                  "company": "customer_name", "credit_code": "credit_code"}
#: Fields the rules read and write, by entity: leads.yaml needs them declared.
REQUIRED_FIELDS = {
    "lead": ("lead_no", "status", "source", "customer_name", "grade", "grade_auto",
             "grade_override", "grade_reason", "value_level", "screening_flags",
             "invalid_reason", "pool", "assigned_at", "first_touch_due_at", "first_contact_at",
             "last_followup_at", "next_followup_due_at", "followup_count", "duplicate_hint",
             "merged_into"),
    "followup": ("lead", "occurred_at", "late_entry", "next_action", "next_action_due"),
    "task": ("title", "lead", "assignee", "due_at", "status", "kind"),
}
SYSTEM_NAMES = {"unit": "text", "owner": "user", "created_at": "datetime",
                "updated_at": "datetime"}
#: What the reclaim's ``exclude`` condition may use besides the lead's fields (the facts
#: ``records.leads.reclaim_scope`` reads): the stage's position in the lead's funnel (1 =
#: first), its contracts awaiting confirmation and its pending approval requests.
RECLAIM_NAMES = {"stage_position": "integer", "open_contracts": "integer",
                 "open_approvals": "integer"}
#: The periodic jobs ``records.leads.periodic`` implements (``leadloom tick``), by name.
JOB_NAMES = ("reclaim", "sla", "stale", "tasks", "digest")
#: The kinds of notice about leads and tasks: what ``quiet_hours.exempt`` may name, alone
#: (``sla_breach``) or for one grade (``sla_breach_a``).
NOTICE_KINDS = ("assignment", "grade", "duplicate", "sla_warning", "sla_breach",
                "followup_due", "reclaim_warning", "reclaimed", "stale", "task_due",
                "task_overdue", "digest", "approval", "collab_request", "transfer_request")


@dataclass(frozen=True, slots=True)
class ScreeningRule:
    """``when`` true → the lead gets flag ``code``; ``review`` also sets it to 待核实."""

    code: str
    when: Expression
    action: str  # review | flag


@dataclass(frozen=True, slots=True)
class Screening:
    rules: tuple[ScreeningRule, ...]
    #: the status a lead with a ``review`` flag gets (待核实)
    status: str
    #: the status that needs ``invalid_reason``
    invalid_status: str


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    code: str
    #: phone, email, company or credit_code (``DUPLICATE_KEYS``)
    key: str
    #: exact (after normalising) or fuzzy (company names only)
    match: str
    #: block, block_unless_visible or warn
    action: str
    threshold: float = 0.92


@dataclass(frozen=True, slots=True)
class Duplicates:
    rules: tuple[DuplicateRule, ...]
    #: matches with leads in these statuses only warn
    ignore_statuses: tuple[str, ...]
    merge_roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    when: Expression
    value: str | None


@dataclass(frozen=True, slots=True)
class Grading:
    #: named helper values, evaluated in order before the cases
    lets: tuple[tuple[str, Expression], ...]
    grade: tuple[Case, ...]
    value: tuple[Case, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """Who an assignment rule hands leads to: users by name (with weights), or users with
    one of ``roles`` in ``unit`` (default: the lead's unit)."""

    roles: tuple[str, ...] = ()
    users: tuple[tuple[str, int], ...] = ()
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class AssignmentRule:
    code: str
    label: Label
    when: Expression
    target: Target
    #: round_robin, weighted or least_loaded
    strategy: str
    #: open leads a person may hold to get one from this rule (None: ``pools.holding_cap``)
    cap: int | None = None


@dataclass(frozen=True, slots=True)
class Territory:
    """A new lead this is true for belongs to ``unit`` (the lead's data decides, not who
    typed it in)."""

    code: str
    when: Expression
    unit: str


@dataclass(frozen=True, slots=True)
class Assignment:
    #: a lead one of these roles enters without an owner stays theirs
    keep_creator_roles: tuple[str, ...]
    rules: tuple[AssignmentRule, ...]
    #: which unit a new lead belongs to, first match; read from leads.yaml only
    territories: tuple[Territory, ...] = ()
    #: the unit of a lead no territory takes; its pool managers are told of such leads
    default_unit: str | None = None
    #: keys (``phone``, ``email``, ``company``) matched against existing accounts'
    #: contacts: a match goes to the account's owner and is marked ``upsell``
    existing_customer: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pools:
    claim_roles: tuple[str, ...]
    manager_roles: tuple[str, ...]
    claims_per_day: int
    holding_cap: int
    cooldown_days: int
    reclaim_after_days: int
    warn_days: int
    #: leads this is true for are never reclaimed
    reclaim_exclude: Expression | None
    release_reason_required: bool


@dataclass(frozen=True, slots=True)
class ByGrade:
    """A duration per grade code, and one for ungraded leads."""

    grades: tuple[tuple[str, Duration], ...]
    default: Duration

    def get(self, grade: str | None) -> Duration:
        return next((d for g, d in self.grades if g == grade), self.default)


@dataclass(frozen=True, slots=True)
class Sla:
    first_touch_preset: str
    first_touch: ByGrade
    warn_before: ByGrade
    cadence_preset: str
    cadence: ByGrade
    stale_after_days: int
    followup_late_after: Duration
    followup_max_backdate: Duration


@dataclass(frozen=True, slots=True)
class LeadRules:
    """The rules for the leads of one business unit (or of no unit)."""

    calendar: WorkCalendar
    numbering: str
    screening: Screening
    duplicates: Duplicates
    grading: Grading
    assignment: Assignment
    pools: Pools
    sla: Sla
    open_statuses: tuple[str, ...]
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: tasks record events make (``task_rules:``)
    task_rules: tuple[TaskRule, ...] = ()

    def list_values(self) -> dict[str, list[str]]:
        """The named lists, as values expressions read."""
        return {name: list(items) for name, items in self.lists}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours (``start`` to ``end``, across midnight when ``end`` is earlier) in which
    notices wait for ``end``, except those of the ``exempt`` kinds (``kind`` or
    ``kind_grade``)."""

    start: dt.time
    end: dt.time
    exempt: tuple[str, ...] = ()

    def release(self, local: dt.datetime) -> dt.datetime | None:
        """When a notice made at ``local`` (wall time) goes out: ``None`` at once (outside
        the quiet hours), else the local end of the quiet period."""
        at = local.time()
        if self.start <= self.end:
            quiet = self.start <= at < self.end
        else:
            quiet = at >= self.start or at < self.end
        if not quiet:
            return None
        day = local.date() if at < self.end else local.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, self.end)

    def exempts(self, kind: str, grade: str | None) -> bool:
        return kind in self.exempt or (grade is not None
                                       and f"{kind}_{grade}".lower() in self.exempt)


@dataclass(frozen=True, slots=True)
class LeadRulesSet:
    """The base rules and each unit's, after its overlay; ``fingerprint`` changes exactly
    when a rule stored values derive from changes somewhere (calendar, lists, grading,
    the SLA presets in force, reclaim: ``lead_checks.derivation_inputs``): the open
    leads are then recomputed (``records.leads.recompute``)."""

    base: LeadRules
    units: tuple[tuple[str, LeadRules], ...] = ()
    fingerprint: str = ""
    #: (job name, five-field cron read in the app's time zone): when a scheduler runs each
    #: periodic job; ``leadloom tick`` runs them now
    schedule: tuple[tuple[str, str], ...] = ()
    #: when non-urgent notices wait (the whole CRM, the calendar's time zone)
    quiet_hours: QuietHours | None = None

    def for_unit(self, unit: str | None) -> LeadRules:
        return next((rules for code, rules in self.units if code == unit), self.base)
