"""The workflow on a record's page: the stage (path, moves, for the page's header), the
approvals panel (pending approval, finance confirmation) and the timeline (audit trail,
stage moves with the time spent, approvals).

They only read; their buttons post to the page's move route or call the approvals and
entity REST APIs, so every action goes through the write path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, render_template
from flask_babel import gettext
from markupsafe import Markup

from leadloom.access import Actor, rights
from leadloom.metadata.field_types import CHOICE, FieldType
from leadloom.metadata.funnels import Funnel, Stage
from leadloom.metadata.registry import Entity, Label
from leadloom.model.tables import utcnow
from leadloom.web.approvals import describe, prime_reference_titles, shown, user_name
from leadloom.web.form_widgets import UNIT_NAMES
from leadloom.web.labels import current_locale, display, local_time
from leadloom.web.layout import SYSTEM_LABELS
from leadloom.web.page_people import owner_place
from leadloom.web.panel import Panel
from leadloom.web.people_names import PeopleByLogin
from leadloom.web.state import state
from leadloom.workflow.approvals import move_flow
from leadloom.workflow.conditions import conditions_for
from leadloom.workflow.history import RecordRows, path, record_rows, timeline
from leadloom.workflow.inbox import for_record
from leadloom.workflow.stages import current_stage, funnel_of, requirements, stage_label
from leadloom.workflow.states import locked, state_flows

APPROVAL_TITLE = Label("审批与确认", "Approvals and confirmation")
TIMELINE_TITLE = Label("变更记录", "History")
#: how many of a record's history events its page shows (the newest)
SHOWN = 200
CHANNELS = {"ui": Label("页面", "screen"), "api": Label("接口", "API"),
            "import": Label("导入", "import"), "seed": Label("初始化", "seed"),
            "approval": Label("审批", "approval")}


def rows_of(entity: Entity, record: Any) -> RecordRows:
    """The record's stage moves, requests and votes, read once for its page (the header,
    the approvals panel and the history show them)."""
    key = (entity.code, record.id)
    cached = g.get("leadloom_record_rows")
    if cached is None or cached[0] != key:
        st = state()
        cached = g.leadloom_record_rows = (
            key, record_rows(st.db.session, st.models, entity.code, record.id))
    return cached[1]  # type: ignore[no-any-return]


def workflow_panel(entity: Entity, record: Any, actor: Actor) -> Panel | None:
    """The record's open approval request and (for a record with an amount to confirm)
    the confirmation form; the stage itself is in the page's header."""
    st = state()
    locale = current_locale()
    requests = for_record(st.db.session, st.models, actor, record,
                          rows_of(entity, record), locale, owner_place(record))
    pending = next((r for r in requests if r.status == "pending"), None)
    confirmation = _confirmation(entity, record, actor)
    if pending is None and confirmation is None:
        return None
    html = render_template(
        "leadloom/panel_workflow.html", entity=entity, record=record, locale=locale,
        pending=pending, confirmation=confirmation,
        pending_changes=describe(entity, pending.before, pending.proposal) if pending else [])
    return Panel(APPROVAL_TITLE.get(locale), Markup(html))


def stage_context(entity: Entity, record: Any, actor: Actor, funnel: Funnel,
                  locale: str) -> dict[str, Any]:
    """The record's path through ``funnel`` and the moves the reader may make (with the
    fields each still needs), for the page's header."""
    st = state()
    now = utcnow()
    current = current_stage(funnel, getattr(record, funnel.field))
    rows = rows_of(entity, record)
    visits = path(st.db.session, st.models, entity.code, record.id, now, rows)
    seen = {v.stage for v in visits}
    days = (visits[-1].seconds or 0) // 86400 if visits else None
    pending = rows.pending is not None
    may_update = rights(st.registry, actor, entity.code).allows("update") and not pending
    values = {f.code: getattr(record, f.column) for f in entity.fields if f.column}
    values["owner"] = record.owner_id
    targets = [t for t in (_target(entity, funnel, current, s, actor, values, locale)
                           for s in funnel.stages if s is not current) if t] \
        if may_update else []
    targets.sort(key=lambda t: not t["direct"])  # the moves the reader makes first
    return {
        "funnel": funnel, "current": current, "days": days, "pending": pending,
        "stall": bool(current.stall_days and days is not None and days > current.stall_days),
        "chevrons": [{"code": s.code, "label": stage_label(entity, funnel, s.code, locale),
                      "state": "current" if s is current else "seen" if s.code in seen
                      else "todo", "outcome": s.outcome} for s in funnel.stages],
        "targets": targets, "inputs": _inputs(entity, targets, locale, rights(
            st.registry, actor, entity.code).readonly),
        "current_label": stage_label(entity, funnel, current.code, locale),
    }


def _target(entity: Entity, funnel: Funnel, current: Stage, target: Stage, actor: Actor,
            values: dict[str, Any], locale: str) -> dict[str, Any] | None:
    """How the reader could move the record to ``target``: directly, by asking for an
    approval, or not at all (None)."""
    if target.follows is not None or (target.outcome == "won" and current.outcome != "won"):
        return None
    move = current.move(target.code)
    direct = move is not None and (not move.roles or set(move.roles) & set(actor.roles))
    if current.outcome == "won" and not direct:
        return None
    kind = "next" if direct else (
        "skip" if funnel.index(target.code) > funnel.index(current.code) else "back")
    st = state()
    flow = move_flow(st.registry, conditions_for(st.registry), entity.code, kind, current,
                     target, {**values, funnel.field: target.code}, values)
    if not direct and flow is None:
        return None
    leave, enter = requirements(funnel, current, target, kind)
    needs = [c for c in dict.fromkeys((*leave, *enter))
             if entity.has_field(c) and values.get(c) in (None, "")]
    return {"code": target.code, "label": stage_label(entity, funnel, target.code, locale),
            "approval": flow.label.get(locale) if flow else None, "direct": direct,
            "needs": needs, "comment": bool(flow and flow.comment_required),
            "need_labels": [entity.field(c).label.get(locale) for c in needs],
            "outcome": target.outcome}


def _inputs(entity: Entity, targets: list[dict[str, Any]], locale: str,
            readonly: frozenset[str]) -> list[dict[str, Any]]:
    """Inputs for the fields a move needs and the record lacks (e.g. a loss reason), but
    those the reader may not set (the move's refusal names them)."""
    codes = dict.fromkeys(c for t in targets for c in t["needs"] if c not in readonly)
    found = []
    for code in codes:
        f = entity.field(code)
        choices = [(o.code, o.label.get(locale)) for o in f.options if o.active] \
            if f.type in CHOICE else None
        money = f.type is FieldType.MONEY
        found.append({"code": code, "label": f.label.get(locale), "choices": choices,
                      "type": "date" if f.type is FieldType.DATE else "number"
                      if f.type in (FieldType.MONEY, FieldType.DECIMAL, FieldType.INTEGER)
                      else "text",
                      # typed in the field's unit (元 or 万), sent in 元 like the API takes
                      "unit": gettext(UNIT_NAMES[f.unit].msgid) if money else "",
                      "factor": f.unit.factor if money else 1})
    return found


def _confirmation(entity: Entity, record: Any, actor: Actor) -> dict[str, Any] | None:
    """The confirmation form, for a reader who may change the state in this state."""
    st = state()
    locale = current_locale()
    for flow in state_flows(st.registry, entity.code):
        conf = flow.confirmation
        if conf is None or flow.state is None or not entity.has_field(flow.state):
            continue
        state_value = getattr(record, entity.field(flow.state).column)
        if locked(flow, state_value, actor.roles, [flow.state]) or not rights(
                st.registry, actor, entity.code).allows("update"):
            return None
        returned = next((s.value for s in flow.states if s.reason and s.value != conf.confirmed),
                        None)
        fields = {c: entity.field(c) for c in (conf.amount, conf.confirmed_amount,
                                               conf.variance, conf.by, conf.at) if c}
        return {
            "state_field": flow.state, "state": state_value,
            "state_label": display(entity.field(flow.state), state_value),
            "confirmed": conf.confirmed, "returned": returned,
            "confirmed_now": state_value == conf.confirmed,
            "amount": getattr(record, entity.field(conf.amount).column),
            "amount_label": display(fields[conf.amount],
                                    getattr(record, entity.field(conf.amount).column)),
            "confirmed_amount_field": conf.confirmed_amount, "reason_field": conf.reason,
            "facts": [(f.label.get(locale), _fact(f, getattr(record, f.column)))
                      for c, f in fields.items() if c != conf.amount],
            "can_confirm": state_value != conf.confirmed and not locked(
                flow, state_value, actor.roles, [conf.confirmed_amount]),
            "can_return": returned is not None and state_value != returned and not locked(
                flow, state_value, actor.roles, [conf.reason]),
            "version": record.version,
        }
    return None


def _fact(f: Any, value: Any) -> str:
    if value is None:
        return ""
    return user_name(value) if f.type is FieldType.USER else display(f, value)


def timeline_panel(entity: Entity, record: Any, actor: Actor) -> Panel | None:
    """Every write (who, when, channel, config version, old → new), stage moves with the
    time spent in the stage left, and approval requests; newest first."""
    st = state()
    locale = current_locale()
    events = timeline(st.db.session, st.models, actor, entity.code, record.id,
                      rows_of(entity, record))
    if not events:
        return None
    funnel = funnel_of(st.registry, entity.code, record.unit)
    rows = []
    names = PeopleByLogin(st.db.session)
    prime_reference_titles([*_references(entity, events[:SHOWN]), *_own_references(entity, record)])
    for event in events[:SHOWN]:
        rows.append({
            "event": event, "at": local_time(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            "who": names.shown(event.actor),
            "channel": CHANNELS[event.channel].get(locale) if event.channel in CHANNELS
            else event.channel,
            "changes": [(_label(entity, c.field, locale), _shown(entity, c.field, c.old),
                         _shown(entity, c.field, c.new)) for c in event.changes],
            "from": stage_label(entity, funnel, event.from_stage, locale) if funnel else None,
            "to": stage_label(entity, funnel, event.to_stage, locale) if funnel else None,
            "stayed": _duration(event.seconds, locale),
        })
    html = render_template("leadloom/panel_timeline.html", rows=rows, locale=locale,
                           more=max(0, len(events) - SHOWN))
    return Panel(TIMELINE_TITLE.get(locale), Markup(html))


def _references(entity: Entity, events: list[Any]) -> list[tuple[str, Any]]:
    """The records the changes of ``events`` name (old and new values of reference
    fields), to read their titles at once."""
    fields = {f.code: f.to for f in entity.fields if f.type is FieldType.REFERENCE and f.to}
    return [(fields[c.field], value) for event in events for c in event.changes
            if c.field in fields for value in (c.old, c.new) if value not in (None, "", [])]


def _own_references(entity: Entity, record: Any) -> list[tuple[str, Any]]:
    """The records ``record``'s own reference fields name: the page's header and tabs show
    their titles after the timeline, which reads them in its one statement."""
    return [(f.to, value) for f in entity.fields if f.type is FieldType.REFERENCE and f.to
            and f.column and (value := getattr(record, f.column, None)) is not None]


def _shown(entity: Entity, code: str, value: Any) -> str:
    if code == "owner":
        return "—" if value is None else user_name(value)
    if not entity.has_field(code):
        return "—" if value is None else str(value)
    return shown(entity.field(code), value)


def _label(entity: Entity, code: str, locale: str) -> str:
    if code == "owner":
        return SYSTEM_LABELS["owner"].get(locale)
    return entity.field(code).label.get(locale) if entity.has_field(code) else code


def _duration(seconds: int | None, locale: str) -> str | None:
    if seconds is None:
        return None
    delta = dt.timedelta(seconds=seconds)
    if delta.days:
        return f"{delta.days} 天" if locale != "en" else f"{delta.days} d"
    hours = delta.seconds // 3600
    if hours:
        return f"{hours} 小时" if locale != "en" else f"{hours} h"
    return f"{delta.seconds // 60} 分钟" if locale != "en" else f"{delta.seconds // 60} min"
