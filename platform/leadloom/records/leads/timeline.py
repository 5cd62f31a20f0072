"""A lead's timeline: its follow-ups, tasks and history, newest first, for its page.

The caller has checked the actor may read the lead. Follow-ups and tasks are read through
the one read scope; those out of the actor's scope (a previous owner's, say) show as a
summary line only: when, how, by whom (masked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadloom.access import rights, scope_clause
from leadloom.access.people import masked
from leadloom.records.leads.events import events_of
from leadloom.records.leads.state import user_name
from leadloom.records.service import Context

#: the column that says whether the reader may open a follow-up or task of the timeline
IN_SCOPE = "in_scope"


@dataclass(frozen=True, slots=True)
class Entry:
    at: dt.datetime
    kind: str  # followup, task, event
    title: str
    detail: str = ""
    who: str = ""
    link: str | None = None
    #: follow-up flagged late / task overdue / ...
    badge: str | None = None
    full: bool = True


def timeline(ctx: Context, lead_id: int, *, locale: str = "zh") -> list[Entry]:
    entries = [*_followups(ctx, lead_id, locale), *_tasks(ctx, lead_id, locale),
               *_events(ctx, lead_id, locale)]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _in_scope(ctx: Context, entity: str) -> sa.Label[bool]:
    """Whether a row is in the actor's read scope, as a column of the rows' own query (one
    statement per kind of row, however many)."""
    if not rights(ctx.registry, ctx.actor, entity).allows("read"):
        return sa.literal(False).label(IN_SCOPE)
    return sa.case((scope_clause(ctx.models, ctx.actor, entity), True),
                   else_=False).label(IN_SCOPE)


def _label(ctx: Context, entity: str, field: str, code: str | None, locale: str) -> str:
    f = ctx.registry.entity(entity).field(field)
    option = f.option(code or "")
    return option.label.get(locale) if option else (code or "")


def _followups(ctx: Context, lead_id: int, locale: str) -> list[Entry]:
    table = ctx.models.cls("followup").__table__
    rows = list(ctx.session.execute(sa.select(table, _in_scope(ctx, "followup"))
                                    .where(table.c.lead_id == lead_id)))
    found = []
    for r in rows:
        method = _label(ctx, "followup", "method", r.method, locale)
        who = user_name(ctx, r.owner_id)
        if r.in_scope:
            feedback = _label(ctx, "followup", "customer_feedback", r.customer_feedback, locale)
            detail = f"{r.summary}" + (f" → {r.next_action}" if r.next_action else "")
            found.append(Entry(r.occurred_at, "followup", f"{method} · {feedback}", detail,
                               who, f"/followup/show/{r.id}",
                               "late" if getattr(r, "late_entry", None) else None))
        else:
            found.append(Entry(r.occurred_at, "followup", method, "", masked(who), None, None,
                               False))
    return found


def _tasks(ctx: Context, lead_id: int, locale: str) -> list[Entry]:
    table = ctx.models.cls("task").__table__
    rows = list(ctx.session.execute(sa.select(table, _in_scope(ctx, "task"))
                                    .where(table.c.lead_id == lead_id)))
    return [Entry(r.due_at, "task", r.title, _label(ctx, "task", "status", r.status, locale),
                  user_name(ctx, r.assignee_id), f"/task/show/{r.id}",
                  r.status if r.status in ("overdue", "done") else None)
            for r in rows if r.in_scope]


EVENT_TITLES = {
    "grade": ("分级", "Grade"), "assigned": ("分配", "Assigned"), "claimed": ("认领", "Claimed"),
    "pooled": ("进入公海", "Into the pool"), "released": ("退回公海", "Returned to the pool"),
    "reclaimed": ("自动回收", "Reclaimed"), "merged": ("合并", "Merged"),
    "merged_into": ("已合并到", "Merged into"),
    "deadline": ("截止时间重算", "Deadline recomputed"), "value": ("价值重算", "Value recomputed"),
}


#: why assignment passed someone over (``records.leads.assignment._unavailable``)
SKIPPED = {"inactive": ("已停用", "inactive"), "away": ("不在岗", "away"),
           "over_cap": ("已达持有上限", "at the cap"), "wrong_unit": ("不在本单元", "another unit")}


def _why(ctx: Context, decision: dict[str, Any], zh: bool) -> str:
    """How assignment decided: 规则 大客户；跳过 王芳（不在岗）."""
    code = decision.get("rule")
    rules = ctx.registry.lead_rules
    found = rules.for_unit(decision.get("unit")).assignment.rules if rules else ()
    label = next((r.label.get("zh" if zh else "en") for r in found if r.code == code),
                 ("老客户" if zh else "existing customer") if code == "existing_customer"
                 else code)
    parts = [f"规则 {label}" if zh else f"rule {label}"] if label else []
    skipped = [f"{c['name']}（{SKIPPED[c['skipped']][0]}）" if zh
               else f"{c['name']} ({SKIPPED[c['skipped']][1]})"
               for c in decision["candidates"] if c.get("skipped") in SKIPPED]
    if skipped:
        parts.append(("跳过 " if zh else "passed over ") + "、".join(skipped))
    return "；".join(parts) if zh else "; ".join(parts)


def _events(ctx: Context, lead_id: int, locale: str) -> list[Entry]:
    found = []
    zh = locale != "en"
    for e in events_of(ctx.session, ctx.models, lead_id):
        title = EVENT_TITLES.get(e.kind, (e.kind, e.kind))[0 if zh else 1]
        if e.kind == "grade":
            detail = f"{e.old or '-'} → {e.new or '-'}"
        elif e.kind in ("assigned", "claimed"):
            detail = user_name(ctx, e.user_id)
        elif e.kind in ("merged", "merged_into", "deadline", "value"):
            detail = f"{e.old or '-'} → {e.new or '-'}"
        else:
            detail = user_name(ctx, e.user_id) if e.user_id else ""
        if e.reason:
            detail = f"{detail}（{e.reason}）" if zh else f"{detail} ({e.reason})"
        if e.kind in ("assigned", "pooled") and e.detail and "candidates" in e.detail:
            detail = ("；" if zh else "; ").join(filter(None, (detail, _why(ctx, e.detail, zh))))
        who = user_name(ctx, e.actor_id) if e.actor_id else ("系统" if zh else "system")
        found.append(Entry(e.at, "event", title, detail, who))
    return found
