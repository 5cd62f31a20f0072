"""Tasks from ``task_rules:`` (leads.yaml): a logged follow-up or a saved lead that matches
a rule gets its task, and the rule's open tasks close once ``done_when`` holds.

Set-based for a batch: the rules are tested in memory, the keys already used read in one
query, the new tasks made in one nested bulk create and the closed ones changed in one
nested bulk update, so every task goes through the write path (rules, audit, hooks) in the
transaction of the event. Each task carries ``rule_key`` (rule, entity, id, and the
``once_per`` value), unique: the same event never makes two tasks, whatever retries.

History the system loads with its own times (demo data, migrations) is judged at the end
of that history (``HISTORY_NOW`` in the write's meta; without it, it makes no task), and
makes only the tasks still due then: a commitment that lapsed before the data ends is
history, not a to-do. The same history and end give the same tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from leadloom.metadata.lead_rules import LeadRules, LeadRulesSet
from leadloom.metadata.registry import Registry
from leadloom.metadata.task_rules import TaskRule
from leadloom.records.hooks import RecordHook
from leadloom.records.identity_cache import by_identity
from leadloom.records.leads import clock
from leadloom.records.leads.batch import NOTE
from leadloom.records.leads.nested import nested, nested_bulk_create
from leadloom.records.leads.open_leads import open_leads
from leadloom.records.leads.state import active_user, unit_of
from leadloom.rules import side_values

if TYPE_CHECKING:
    from leadloom.records.hooks import Change
    from leadloom.records.service import Context

#: task statuses still to be done
OPEN = ("todo", "overdue")
#: ``ctx.meta`` key: when loaded history ends (naive UTC), the time its rules act at
HISTORY_NOW = "leadloom.history_now"
#: per registry: the lead fields the task rules read
_READ_FIELDS: dict[int, tuple[Registry, tuple[tuple[str, str], ...]]] = {}


def followup_tasks(changes: Sequence[Change], rules_set: LeadRulesSet) -> None:
    """The tasks new follow-ups (their lead row in ``notes``) make, in one bulk create."""
    ctx = changes[0].ctx
    rows = []
    #: by lead row: a batch's follow-ups of one lead share its row, read once
    leads: dict[int, _LeadRow] = {}
    for change in changes:
        now = _moment(change)
        if now is None:
            continue
        row = change.notes[NOTE]
        lead = leads.get(id(row))
        if lead is None:
            lead = leads[id(row)] = _from_row(ctx, row)
        values = {**change.before, **change.values}
        start = _naive(values.get("occurred_at")) or now
        author = getattr(change.record, "owner_id", None) or ctx.actor.user_id
        for rule in _rules(rules_set.for_unit(lead.unit), "followup"):
            if not rule.when.test(values, now=now) or _done(rule, lead.values, now):
                continue
            row = _task(ctx, rule, lead, f"{rule.code}:followup:{change.record.id}", start,
                        author)
            if row is not None and (change.at is None or row["due_at"] > now):
                rows.append(row | _stamps(change, change.at))
    _create(ctx, rows)


def lead_tasks(changes: Sequence[Change], rules_set: LeadRulesSet) -> None:
    """For saved leads: the tasks their lead rules make, and their rule tasks now done."""
    ctx = changes[0].ctx
    rows: list[dict[str, Any]] = []
    done: dict[str, list[int]] = {}
    for change in changes:
        now = _moment(change)
        if now is None:
            continue
        record = change.record
        after = {**change.before, **change.values, "owner": record.owner_id,
                 "unit": record.unit}
        after.setdefault("lead_no", getattr(record, "lead_no", None))
        lead = _LeadRow(record.id, record.owner_id, record.unit, after)
        rows += [row | _stamps(change, now) for row in _lead_rule_tasks(
            ctx, lead, side_values(change.before, after), now)]
        if not change.creating:  # a new lead has no tasks to close yet
            _collect_done(rules_set.for_unit(lead.unit), lead, now, done, set(change.values))
    _create(ctx, rows)
    close_done(ctx, done)


def sweep(ctx: Context, now: dt.datetime) -> tuple[int, int]:
    """The hourly look at open leads: lead rules that now hold (a date passed) make their
    tasks, and rule tasks now done close. Returns (made, closed); the caller commits."""
    rules_set = ctx.registry.lead_rules
    if rules_set is None:
        return 0, 0
    rows: list[dict[str, Any]] = []
    done: dict[str, list[int]] = {}
    columns = [column for _, column in _read_fields(ctx.registry)]
    for row in open_leads(ctx, columns=columns):
        lead = _from_row(ctx, row)
        rows += _lead_rule_tasks(ctx, lead, side_values(lead.values, lead.values), now)
        _collect_done(rules_set.for_unit(lead.unit), lead, now, done)
    return _create(ctx, rows), close_done(ctx, done)


def _moment(change: Change) -> dt.datetime | None:
    """When the rules act for this write: now, or the end of the history the system loads
    with its own times (None: no end given, no task)."""
    if change.at is None or not change.ctx.actor.system:
        return clock.now()
    moment = change.ctx.meta.get(HISTORY_NOW)
    return moment if isinstance(moment, dt.datetime) else None


def _stamps(change: Change, at: dt.datetime | None) -> dict[str, Any]:
    """A task made for loaded history is dated ``at`` (the follow-up that made it, or the
    history's end), not when the loading ran."""
    return {"created_at": at, "updated_at": at} if change.at else {}


class _LeadRow:
    """What a task needs of its lead: id, owner, unit and the values rules read."""

    __slots__ = ("id", "owner_id", "unit", "values")

    def __init__(self, pk: int, owner_id: int | None, unit: str | None,
                 values: dict[str, Any]) -> None:
        self.id, self.owner_id, self.unit, self.values = pk, owner_id, unit, values


def _from_row(ctx: Context, row: Any) -> _LeadRow:
    """A row of the lead table with the values the task rules read (by field code): the
    hourly sweep turns every open lead into one of these."""
    values = {code: getattr(row, column, None) for code, column in _read_fields(ctx.registry)}
    return _LeadRow(row.id, row.owner_id, row.unit,
                    values | {"owner": row.owner_id, "unit": row.unit})


def _read_fields(registry: Registry) -> tuple[tuple[str, str], ...]:
    """(code, column) of the lead fields a task rule may read of its lead: what lead rules
    test (either side of the write), what ``done_when`` tests, ``once_per``, the number."""
    def build() -> tuple[tuple[str, str], ...]:
        names = {"lead_no"}
        rules_set = registry.lead_rules
        for rules in (rules_set.base, *dict(rules_set.units).values()) if rules_set else ():
            for rule in rules.task_rules:
                if rule.event == "lead":
                    names |= {name.split(".", 1)[-1] for name in rule.when.names}
                names |= rule.done_when.names if rule.done_when is not None else set()
                names |= {rule.once_per} if rule.once_per is not None else set()
        return tuple((f.code, f.column) for f in registry.entity("lead").fields
                     if f.column and f.code in names)

    return by_identity(_READ_FIELDS, registry, build)


def _collect_done(rules: LeadRules, lead: _LeadRow, now: dt.datetime,
                  done: dict[str, list[int]], written: set[str] | None = None) -> None:
    """Add ``lead`` under each rule whose ``done_when`` now holds for it; ``written``: a
    save's fields, when only rules reading one of them can have changed their mind (the
    hourly sweep sees what time alone changes)."""
    for rule in rules.task_rules:
        if written is not None and rule.done_when is not None and not (
                rule.done_when.names & written):
            continue
        if _done(rule, lead.values, now):
            done.setdefault(rule.code, []).append(lead.id)


def _lead_rule_tasks(ctx: Context, lead: _LeadRow, values: dict[str, Any],
                     now: dt.datetime) -> list[dict[str, Any]]:
    """The tasks ``lead``'s lead rules make now (``values``: with old./new. sides)."""
    found = []
    rules = ctx.registry.lead_rules.for_unit(lead.unit)  # type: ignore[union-attr]
    for rule in _rules(rules, "lead"):
        if not rule.when.test(values, now=now) or _done(rule, lead.values, now):
            continue
        key = f"{rule.code}:lead:{lead.id}"
        if rule.once_per is not None:
            key += f":{lead.values.get(rule.once_per)}"
        row = _task(ctx, rule, lead, key[:120], now, None)
        if row is not None:
            found.append(row)
    return found


def close_done(ctx: Context, done: dict[str, list[int]]) -> int:
    """Close (``done``) the open tasks rule ``code`` made on each listed lead, in one
    nested bulk update; returns how many closed."""
    if not done:
        return 0
    task = ctx.models.cls("task").__table__
    why: dict[int, dict[str, Any]] = {}
    for code, lead_ids in done.items():
        comment = {"comment": _closed_by(ctx, code)}
        for chunk in _chunks(sorted(set(lead_ids))):
            why |= dict.fromkeys(ctx.session.scalars(sa.select(task.c.id).where(
                task.c.lead_id.in_(chunk), task.c.status.in_(OPEN),
                task.c.rule_key.startswith(f"{code}:", autoescape=True))), comment)
    if why:
        from leadloom.records.batch_update import bulk_update  # builds on the hooks

        with nested(ctx) as inner:
            bulk_update(inner, "task", {pk: {"status": "done"} for pk in why}, meta=why)
    return len(why)


def _closed_by(ctx: Context, code: str) -> str:
    """The audit comment of a task rule ``code`` closed: 规则自动完成：发送演示资料."""
    rules = ctx.registry.lead_rules
    assert rules is not None
    rule = next(r for set_ in (rules.base, *dict(rules.units).values())
                for r in set_.task_rules if r.code == code)
    if ctx.registry.app.default_locale == "zh":
        return f"规则自动完成：{rule.label.zh}"
    return f"Done by rule: {rule.label.en}"


def _create(ctx: Context, rows: list[dict[str, Any]]) -> int:
    """Make the tasks whose key is not used yet (each key once), in one bulk create."""
    if not rows:
        return 0
    task = ctx.models.cls("task").__table__
    keys = sorted({r["rule_key"] for r in rows})
    used = {k for chunk in _chunks(keys) for k in ctx.session.scalars(
        sa.select(task.c.rule_key).where(task.c.rule_key.in_(chunk)))}
    fresh = []
    for row in rows:
        if row["rule_key"] not in used:
            used.add(row["rule_key"])
            fresh.append(row)
    if fresh:
        nested_bulk_create(ctx, "task", fresh)
    return len(fresh)


def _task(ctx: Context, rule: TaskRule, lead: _LeadRow, key: str, start: dt.datetime,
          author: int | None) -> dict[str, Any] | None:
    """The task row of ``rule`` for ``lead`` (None when no active user is to get it)."""
    assignee = {"owner": lead.owner_id, "author": author}.get(rule.assignee) if (
        rule.role is None) else _role_holder(ctx, rule.role, lead.unit)
    if not active_user(ctx, assignee):
        return None
    zh = ctx.registry.app.default_locale == "zh"
    number = lead.values.get("lead_no") or f"#{lead.id}"
    label = rule.label.get("zh" if zh else "en")
    title = f"{label}（{number}）" if zh else f"{label} ({number})"
    calendar = ctx.registry.lead_rules.for_unit(lead.unit).calendar  # type: ignore[union-attr]
    return {"title": title[:200], "lead": lead.id, "assignee": assignee,
            "due_at": rule.due.after(start, calendar), "status": "todo", "kind": rule.kind,
            "rule_key": key, "owner": assignee}


def _role_holder(ctx: Context, role: str, unit: str | None) -> int | None:
    """The first active user (by id) with ``role`` in ``unit``."""
    query = (sa.select(User.id).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
             .join(Role, Role.id == assoc_user_role.c.role_id)
             .where(Role.name == role, User.active.is_(True)).order_by(User.id))
    return next((u for u in ctx.session.scalars(query) if unit_of(ctx, u) == unit), None)


def _rules(rules: LeadRules, event: str) -> list[TaskRule]:
    return [r for r in rules.task_rules if r.event == event]


def _done(rule: TaskRule, lead_values: dict[str, Any], now: dt.datetime) -> bool:
    return rule.done_when is not None and rule.done_when.test(lead_values, now=now)


def _naive(moment: Any) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime):
        return None
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)


def _chunks(items: list[Any], size: int = 5000) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class TaskRuleHook(RecordHook):
    """``task_rules`` on every write: new follow-ups and saved leads (single or batch)."""

    def __init__(self, rules: LeadRulesSet) -> None:
        self.rules = rules

    def after_save(self, change: Change) -> None:
        self.after_batch([change])

    def after_batch(self, changes: Sequence[Change]) -> None:
        followups = [c for c in changes if c.entity.code == "followup" and c.creating
                     and NOTE in c.notes]
        leads = [c for c in changes if c.entity.code == "lead" and not c.deleting]
        if followups:
            followup_tasks(followups, self.rules)
        if leads:
            lead_tasks(leads, self.rules)


def task_rule_hooks(registry: Registry) -> TaskRuleHook | None:
    """The hook, when leads.yaml has task rules."""
    rules = registry.lead_rules
    used = rules is not None and any(r.task_rules for r in (rules.base, *dict(rules.units)
                                                                .values()))
    return TaskRuleHook(rules) if used and rules is not None else None
