"""The lead rules as write-path hooks, in order: screening, 查重, grading, assignment,
deadlines (before the row is written), then the number, the pool, history, keys, tasks and
messages (after, in the same transaction). And the follow-up hook.

Every channel (form, REST, import, jobs) runs these through ``records``; ``records.hooks``
lists the factories in ``BUILTIN_HOOKS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from leadloom.metadata.lead_rules import LeadRulesSet
from leadloom.metadata.registry import Registry
from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.records.hooks import RecordHook
from leadloom.records.leads import (
    assignment,
    duplicates,
    followups,
    grading,
    screening,
    sla,
    sla_records,
)
from leadloom.records.leads.batch import BATCH, NOTE, before_leads
from leadloom.records.leads.columns import write_columns
from leadloom.records.leads.customers import find_accounts
from leadloom.records.leads.events import event_row
from leadloom.records.leads.nested import nested_delete
from leadloom.records.leads.notices import grade_label, lead_notice
from leadloom.records.leads.notices import link as notice_link
from leadloom.records.leads.numbering import assign_number
from leadloom.records.leads.sink import Sink
from leadloom.records.leads.state import LeadWrite, active_user, lead_write

if TYPE_CHECKING:
    from leadloom.records.hooks import Change

#: tasks the rules make for a lead (and delete with it)
RULE_TASKS = ("first_touch", "cadence")
#: ``ctx.meta`` key: the owners hear of these writes in one message each (a recompute)
QUIET = "quiet_owners"


class LeadHook(RecordHook):
    """The lead life cycle on every write of a ``lead`` record."""

    def __init__(self, rules: LeadRulesSet) -> None:
        self.rules = rules

    def before_save(self, change: Change) -> None:
        if change.entity.code != "lead":
            return
        if change.deleting:
            _forget(change)
            return
        w = lead_write(change, self.rules)
        change.notes[NOTE] = w
        screening.screen(w)
        duplicates.check_duplicates(w)
        grading.grade(w)
        find_accounts([w], self.rules.base.assignment.existing_customer)
        assignment.assign(w)
        sla.set_deadlines(w)

    def after_save(self, change: Change) -> None:
        w = _placed(change)
        if w is None:
            return
        sink = Sink()
        _saved(w, sink)
        sink.flush(w.ctx)
        if sla_records.touches(change):
            sla_records.derive(w.ctx, [change.record.id])

    def before_batch(self, changes: Sequence[Change]) -> None:
        """New leads: every rule for the whole batch at once (``batch.before_leads``);
        other writes row by row."""
        new = [c for c in changes if c.entity.code == "lead" and c.creating]
        for change in changes:
            if change.entity.code == "lead" and not change.creating:
                self.before_save(change)
        if new:
            before_leads(new, self.rules)

    def after_batch(self, changes: Sequence[Change]) -> None:
        """What follows the saved leads, written together: for new leads of a batch
        (``BATCH``) with their tasks in one bulk create; for the other writes (updates:
        reclaim, transfers, re-grading) as ``after_save`` would, row by row, but their
        keys, history and messages in one executemany each."""
        if not changes:
            return
        ctx = changes[0].ctx
        alone = Sink()
        for change in changes:
            w = None if BATCH in change.notes else _placed(change)
            if w is not None:
                _saved(w, alone)
        alone.flush(ctx)
        batch = [c for c in changes if c.creating and BATCH in c.notes]
        if batch:
            keys = batch[0].notes[BATCH]
            sink = Sink(batch=True)
            for change in batch:
                w = change.notes[NOTE]
                w.warnings = [(o, m, keys.real_id(pk)) for o, m, pk in w.warnings]
                _saved(w, sink)
            sink.flush(ctx)
        sla_records.derive(ctx, [c.record.id for c in changes if c.entity.code == "lead"
                                 and NOTE in c.notes and sla_records.touches(c)])


def _placed(change: Change) -> LeadWrite | None:
    """A saved lead's number, and its pool or unit where the rules moved it; its
    ``LeadWrite`` (None: not a lead write the rules ran on)."""
    w = change.notes.get(NOTE)
    if change.entity.code != "lead" or w is None:
        return None
    assign_number(w)
    record = change.record
    columns = assignment.placement(w, record.owner_id, record.unit)
    if columns:
        write_columns(change, **columns)
    return w


def _saved(w: LeadWrite, sink: Sink) -> None:
    """What follows a saved lead: its keys, history, messages and first-touch task."""
    duplicates.store_keys(w, sink)
    if w.history:
        return
    _history(w, sink)
    _tell(w, sink)
    _follow_deadlines(w, sink)


#: a lead's deadline → the kind of rule-made task that is due then
TASK_OF_DEADLINE = (("first_touch_due_at", "first_touch"), ("next_followup_due_at", "cadence"))


def _follow_deadlines(w: LeadWrite, sink: Sink) -> None:
    """A deadline that moved (a new grade, a recompute) moves its open task along; a new
    owner gets a new first-touch task instead."""
    if w.creating or w.owner_changed:
        return
    for code, kind in TASK_OF_DEADLINE:
        due = w.values.get(code)
        if due is not None and w.change.changed(code):
            sink.task_dues[(w.change.record.id, kind)] = due


def _forget(change: Change) -> None:
    """A lead being deleted takes the tasks the rules made for it and its duplicate keys
    along (its history stays); tasks and follow-ups people made still keep it."""
    ctx = change.ctx
    task = ctx.models.cls("task").__table__
    made = task.c.kind.in_(RULE_TASKS)
    if "rule_key" in task.c:  # and those of the task_rules
        made = sa.or_(made, task.c.rule_key.is_not(None))
    for pk in ctx.session.scalars(sa.select(task.c.id).where(
            task.c.lead_id == change.record.id, made)):
        nested_delete(ctx, "task", pk)
    keys = ctx.models.metadata.tables[DEDUPE_KEY_TABLE]
    ctx.session.execute(sa.delete(keys).where(keys.c.record_id == change.record.id))


def _history(w: LeadWrite, sink: Sink) -> None:
    lead_id = w.change.record.id
    ctx = w.ctx
    event = w.grade_event
    if event and (event["new"] or event["old"] or event["auto_new"] != event["auto_old"]):
        sink.events.append(event_row(ctx, lead_id, "grade", old=event["old"],
                                     new=event["new"], reason=event["reason"], detail=event))
    if w.owner_changed:
        kind = "claimed" if ctx.channel == "claim" else "assigned"
        sink.events.append(event_row(
            ctx, lead_id, kind, old=w.change.before.get("owner"), new=w.owner,
            user_id=w.owner, detail=w.decision))
    elif w.to_pool:
        kind = {"reclaim": "reclaimed", "release": "released"}.get(ctx.channel, "pooled")
        previous = w.change.before.get("owner")
        sink.events.append(event_row(ctx, lead_id, kind, old=previous, user_id=previous,
                                     reason=ctx.meta.get("comment"), detail=w.decision))


def _tell(w: LeadWrite, sink: Sink) -> None:
    """The new owner hears of the lead (with its grade and first-touch deadline) and gets a
    first-touch task; the owner hears of a grade change someone else made."""
    ctx = w.ctx
    record = w.change.record
    owner = w.owner
    number = w.values.get("lead_no") or f"#{record.id}"
    link = notice_link(record.id)
    zh = ctx.registry.app.default_locale == "zh"
    due = w.values.get("first_touch_due_at")
    about = {**w.values, "id": record.id}
    if w.owner_changed and owner is not None:
        if owner != ctx.actor.user_id:
            sink.outbox.add(owner, "assignment",
                            lead_notice("assignment", about, w.rules.calendar, due), link)
        if due is not None and active_user(ctx, owner):
            sink.tasks.append({
                "title": (f"首次触达 {number}" if zh else f"First touch {number}"),
                "lead": record.id, "assignee": owner, "due_at": due, "status": "todo",
                "kind": "first_touch", "owner": owner})
    elif w.to_pool and w.routed and w.territory is None:
        unit = next((u.label for u in ctx.registry.units if u.code == w.unit), None)
        where = unit.get("zh" if zh else "en") if unit else (w.unit or "")
        for manager in assignment.pool_managers(w):
            sink.outbox.add(manager, "pool",
                   f"新线索 {number} 未匹配任何区域，已进入{where}公海，请分配" if zh
                   else f"Lead {number} matched no territory and waits in the {where} pool: "
                        "assign it", "/pool/")
    elif w.grade_event and not w.creating and owner not in (None, ctx.actor.user_id) and (
            w.grade_event["new"] != w.grade_event["old"]) and not ctx.meta.get(QUIET):
        deadline = (due if w.values.get("first_contact_at") is None
                    else w.values.get("next_followup_due_at"))
        sink.outbox.add(owner, "grade", lead_notice(
            "grade", about, w.rules.calendar, deadline,
            old=grade_label(w.grade_event["old"])), link)


class FollowupHook(RecordHook):
    """Entry-time rules of follow-ups, and their effect on the lead."""

    def __init__(self, rules: LeadRulesSet) -> None:
        self.rules = rules

    def before_save(self, change: Change) -> None:
        if change.entity.code != "followup":
            return
        lead_id = change.values.get("lead", change.before.get("lead"))
        lead = followups.lead_row(change.ctx, lead_id)
        if lead is None:
            return
        change.notes[NOTE] = lead
        followups.check_entry(change, self.rules.for_unit(lead.unit))

    def after_save(self, change: Change) -> None:
        lead = change.notes.get(NOTE)
        if change.entity.code != "followup" or lead is None:
            return
        followups.after_followup(change, self.rules.for_unit(lead.unit), lead)

    def before_batch(self, changes: Sequence[Change]) -> None:
        """New follow-ups: their leads read in one query; other writes row by row."""
        new = [c for c in changes if c.entity.code == "followup" and c.creating]
        batch = {id(c) for c in new}
        for change in changes:
            if id(change) not in batch:
                self.before_save(change)
        leads = followups.lead_rows(new[0].ctx, {c.values.get("lead") for c in new}) if (
            new) else {}
        for change in new:
            lead = leads.get(change.values.get("lead"))
            if lead is not None:
                change.notes[NOTE] = lead
                followups.check_entry(change, self.rules.for_unit(lead.unit))

    def after_batch(self, changes: Sequence[Change]) -> None:
        """The leads' figures refreshed once for the batch, the next tasks in bulk."""
        new = [c for c in changes if c.entity.code == "followup" and c.creating
               and NOTE in c.notes]
        batch = {id(c) for c in new}
        for change in changes:
            if id(change) not in batch:
                self.after_save(change)
        if new:
            followups.after_followups(new, self.rules)


def lead_hooks(registry: Registry) -> LeadHook | None:
    """The lead rules' hook, when the config has ``leads.yaml``."""
    return LeadHook(registry.lead_rules) if registry.lead_rules else None


def followup_hooks(registry: Registry) -> FollowupHook | None:
    return FollowupHook(registry.lead_rules) if registry.lead_rules else None
