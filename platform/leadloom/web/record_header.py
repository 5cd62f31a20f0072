"""The head of a record's page: who and what the record is (number, customer, grade,
owner), its service-level deadline (for a lead, the states of its SLAs), its path
through the funnel with the next move, and the actions the reader may take.

Everything comes from the Registry and the reader's rights, so every entity's page gets
the parts that apply to it; the lead shows them all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadloom.access import Actor, rights
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Registry
from leadloom.model.tables import utcnow
from leadloom.web.approvals import reference_title, user_name
from leadloom.web.labels import current_locale, display, local_time
from leadloom.web.language import translated
from leadloom.web.layout import SYSTEM_LABELS
from leadloom.web.sla_badges import sla_badges
from leadloom.web.state import state
from leadloom.web.workflow_panels import stage_context
from leadloom.workflow.board import number_field
from leadloom.workflow.stages import funnel_of

#: the entity whose records log the touches with a customer, and the one of to-dos
FOLLOWUP, TASK = "followup", "task"
#: (deadline field, field that, once set, ends it): the first touch, then the cadence
DEADLINES = (("first_touch_due_at", "first_contact_at"), ("next_followup_due_at", None))
#: the field that grades a record, shown next to its owner
GRADE = "grade"
#: the company a record belongs to, when it is not the record's own title
CUSTOMER = "account"
#: the date until which a supervisor keeps the record from the nightly reclaim (保护至)
PROTECTED = "protected_until"
#: the entity whose SLA records the lead rules keep (shown as badges, not the deadline)
LEAD = "lead"


def link_field(registry: Registry, child: str, parent: str) -> str | None:
    """The reference field of ``child`` records that points to ``parent`` (a follow-up's
    lead), or None when ``child`` does not exist or has none."""
    entity = next((e for e in registry.entities if e.code == child), None)
    if entity is None:
        return None
    return next((f.code for f in entity.fields
                 if f.type is FieldType.REFERENCE and f.to == parent), None)


def record_header(view: Entity, record: Any, actor: Actor) -> dict[str, Any]:
    """What the page's header shows of ``record`` (in ``view``, its unit's entity)."""
    st = state()
    locale = current_locale()
    hidden = rights(st.registry, actor, view.code).hidden
    number = number_field(view)
    funnel = funnel_of(st.registry, view.code, record.unit)
    stage = stage_context(view, record, actor, funnel, locale) if funnel else None
    closed = stage is not None and stage["current"].closed
    badges = sla_badges(record, _span) if view.code == LEAD and st.registry.lead_rules else []
    return {
        "number": getattr(record, number) if number and number not in hidden else None,
        "title": str(getattr(record, view.title_field, None) or f"#{record.id}"),
        "facts": _facts(view, record, hidden, locale),
        "deadline": None if closed or badges else _deadline(view, record, hidden),
        "sla": badges,
        "stage": stage,
        "next": _next_move(stage),
        "links": {child: link_field(st.registry, child, view.code) for child in (FOLLOWUP, TASK)},
        "actions": _actions(st.registry, view, record, actor, stage),
    }


def _facts(view: Entity, record: Any, hidden: frozenset[str],
           locale: str) -> list[tuple[str, str]]:
    """(label, text) pairs: the customer (when not the title), the grade, the owner, and
    the protection from the reclaim while it lasts."""
    found = []
    if view.has_field(CUSTOMER) and CUSTOMER not in hidden and view.title_field != CUSTOMER:
        f = view.field(CUSTOMER)
        value = getattr(record, f.column)
        if value is not None and f.to:
            found.append((f.label.get(locale), reference_title(f.to, value)))
    if view.has_field(GRADE) and GRADE not in hidden:
        f = view.field(GRADE)
        found.append((f.label.get(locale), display(f, getattr(record, f.column)) or "—"))
    if view.owned and "owner" not in hidden:
        owner = record.owner_id
        found.append((SYSTEM_LABELS["owner"].get(locale),
                      user_name(owner) if owner is not None else "—"))
    if view.has_field(PROTECTED) and PROTECTED not in hidden:
        f = view.field(PROTECTED)
        until = getattr(record, f.column)
        if until is not None and until >= local_time(utcnow()).date():
            found.append((f.label.get(locale), display(f, until)))
    return found


def _deadline(view: Entity, record: Any, hidden: frozenset[str]) -> dict[str, Any] | None:
    """The first open deadline of ``DEADLINES``: its label, local time, and the time left
    (or overdue) from now."""
    for due_code, done_code in DEADLINES:
        if not view.has_field(due_code) or due_code in hidden:
            continue
        due = getattr(record, due_code)
        if due is None or (done_code and view.has_field(done_code)
                           and getattr(record, done_code) is not None):
            continue
        left = due - utcnow()
        overdue = left < dt.timedelta(0)
        span = _span(abs(left))
        return {"label": view.field(due_code).label.get(current_locale()),
                "at": local_time(due).strftime("%m-%d %H:%M"), "overdue": overdue,
                "left": translated(Message("overdue by %(span)s", span=span) if overdue
                                   else Message("%(span)s left", span=span))}
    return None


def _span(delta: dt.timedelta) -> str:
    """A duration in the two largest units that matter (``2 天 3 小时``, ``40 分钟``)."""
    hours, minutes = delta.seconds // 3600, delta.seconds % 3600 // 60
    if delta.days:
        return translated(Message("%(days)s d %(hours)s h", days=delta.days, hours=hours))
    if hours:
        return translated(Message("%(hours)s h %(minutes)s min", hours=hours,
                                  minutes=minutes))
    return translated(Message("%(minutes)s min", minutes=minutes))


def _next_move(stage: dict[str, Any] | None) -> dict[str, Any] | None:
    """The move one click makes: the first direct move forward (not to a lost stage)."""
    if stage is None:
        return None
    return next((t for t in stage["targets"] if t["direct"] and t["outcome"] != "lost"),
                None)


def may_transfer(registry: Registry, view: Entity, actor: Actor) -> bool:
    """Whether the reader may hand the record to someone else (the page then offers the
    pick list of new owners)."""
    granted = rights(registry, actor, view.code)
    return view.owned and granted.allows("update") \
        and "owner" not in granted.readonly | granted.hidden


def _actions(registry: Registry, view: Entity, record: Any, actor: Actor,
             stage: dict[str, Any] | None) -> dict[str, bool]:
    """Which buttons of the action bar the reader gets."""
    granted = rights(registry, actor, view.code)
    targets = stage["targets"] if stage else []
    return {
        **{child: link_field(registry, child, view.code) is not None
           and rights(registry, actor, child).allows("create") for child in (FOLLOWUP, TASK)},
        "move": bool(targets),
        "lose": any(t["outcome"] == "lost" for t in targets),
        "transfer": may_transfer(registry, view, actor),
        "edit": granted.allows("update"),
    }
