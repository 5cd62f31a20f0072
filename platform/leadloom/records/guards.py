"""The workflow guard: the one place stage moves and guarded fields are checked.

A write hook, so a form, a REST update, the transition endpoint and an import all pass
through it. For a user it checks, in order: a pending approval blocks moving the record
(or changing what the request holds); a field change that triggers an approval flow is
held back into a request; per-state field rights (``workflows`` ``states``) and the amount
confirmation; then a stage move: the funnel's allowed moves, their roles and conditions,
the fields needed to leave and to enter, a linked record the stage needs — and a skip or
a move back, or a move a flow covers, becomes an approval request instead of a move.
The system actor (approved requests, finance effects, jobs, history loads) is trusted:
only the values a move or a confirmation sets are applied for it.

``after_save`` writes the request, the stage history entry and the effects on linked
records (a confirmed contract moves its lead into the won stage; returning it moves the
lead back), the last as nested writes through the write path in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadloom.access import Actor
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.funnels import Funnel, Stage
from leadloom.metadata.messages import Message, joined, listed
from leadloom.metadata.registry import Entity, Label, Registry
from leadloom.records.approvals import ApprovalPending, Request, open_request, start, supersede
from leadloom.records.follows import follow, move_row, path_loaded, record_move, record_moves
from leadloom.records.hooks import Change, RecordHook
from leadloom.records.states import StateRules
from leadloom.workflow.approvals import change_flow, find_flow, move_flow
from leadloom.workflow.conditions import Conditions, conditions_for
from leadloom.workflow.stages import (
    EMPTY,
    Missing,
    current_stage,
    field_name,
    funnel_of,
    leave_problem,
    missing_fields,
    related_problem,
    requirements,
    stage_name,
)
from leadloom.workflow.values import plain, same

NOTE = "workflow"


@dataclass(slots=True)
class _Plan:
    """What ``before_save`` decided, for ``after_save``."""

    funnel: Funnel | None = None
    request: Request | None = None
    moved: tuple[Stage | None, Stage] | None = None


class WorkflowGuard(RecordHook):
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.conditions: Conditions = conditions_for(registry)
        self.states = StateRules(registry)

    # ---- before ------------------------------------------------------------------------
    def before_save(self, change: Change) -> None:
        if change.deleting:
            return
        funnel = funnel_of(self.registry, change.entity.code, self._unit(change))
        plan = _Plan(funnel)
        if funnel is not None and not change.creating and \
                change.values.get(funnel.field, "kept") in EMPTY:
            change.values.pop(funnel.field)  # a stage is never emptied: left out, it stays
        if change.ctx.actor.system:
            self._system(change, plan)
        else:
            self._user(change, plan)
        change.notes[NOTE] = plan

    def _unit(self, change: Change) -> str | None:
        if not change.creating:
            return getattr(change.record, "unit", None)
        for view in self.registry.views:
            if any(e is change.entity for e in view.entities):
                return view.unit
        return None

    def _system(self, change: Change, plan: _Plan) -> None:
        funnel = plan.funnel
        if funnel is not None and funnel.field in _fields(change.entity):
            code = funnel.field
            if change.creating:
                change.values.setdefault(code, None)
                if change.values[code] in EMPTY:
                    change.values[code] = funnel.start[0]
                target = funnel.stage(change.values[code])
                if target is not None:
                    _apply_sets(change, None, target, keep_given=True)
                    plan.moved = (None, target)
            elif change.changed(code) and funnel.stage(change.values[code]) is not None:
                source = current_stage(funnel, change.before.get(code))
                target = funnel.stage(change.values[code])
                assert target is not None
                _apply_sets(change, source, target, keep_given=False)
                plan.moved = (source, target)
        self.states.system(change)

    def _user(self, change: Change, plan: _Plan) -> None:
        funnel = plan.funnel
        if funnel is not None and funnel.field in _fields(change.entity):
            self._values_to_move(change, funnel)
        if not change.creating:
            self._pending(change, funnel)
        self._held_changes(change, plan, funnel)
        self.states.user(change)
        if funnel is not None and funnel.field in _fields(change.entity):
            if change.creating:
                self._start(change, funnel, plan)
            else:
                self._move(change, funnel, plan)

    def _values_to_move(self, change: Change, funnel: Funnel) -> None:
        """Setting a value a stage sets on entry (``status: lost``) is moving into it."""
        code = funnel.field
        if change.creating and change.values.get(code) not in (None, "", funnel.start[0]):
            return
        if not change.creating and change.changed(code):
            return
        current = None if change.creating else current_stage(funnel, change.before.get(code))
        for stage in funnel.stages:
            for fcode, value in stage.on_enter:
                if change.changed(fcode) and same(change.values[fcode], value) and \
                        stage is not current:
                    change.values[code] = stage.code
                    return

    def _pending(self, change: Change, funnel: Funnel | None) -> None:
        """A record waiting for an approval is not moved around it."""
        pending = open_request(change.ctx, change.entity.code, change.record.id)
        if pending is None:
            return
        held = set(pending.proposal)
        if funnel is not None:
            held.add(funnel.field)
        touched = sorted(f for f in held if change.changed(f))
        if touched:
            flow = find_flow(self.registry, pending.workflow)
            name = flow.label if flow else Label(pending.workflow, pending.workflow)
            raise ApprovalPending(
                Message("%(entity)s #%(id)s waits for approval #%(approval)s (%(flow)s): "
                        "wait for the decision or withdraw it", entity=change.entity.label,
                        id=change.record.id, approval=pending.id, flow=name),
                {f: [Message("waits for approval #%(approval)s", approval=pending.id)]
                 for f in touched})

    def _held_changes(self, change: Change, plan: _Plan, funnel: Funnel | None) -> None:
        """Field changes a flow covers wait for approval instead of being written."""
        stage_field = funnel.field if funnel else None
        changed = {f: v for f, v in change.values.items()
                   if f != stage_field and change.changed(f)}
        if not changed:
            return
        found = change_flow(self.registry, self.conditions, change.entity.code,
                            change.before, changed)
        if found is None:
            return
        flow, held = found
        if flow.comment_required and not _comment(change):
            change.reject("comment", Message("say why"))
        plan.request = Request(flow, "change",
                               proposal={f: plain(change.values[f]) for f in held},
                               before={f: plain(change.before.get(f)) for f in held})
        for f in held:
            change.values.pop(f)

    def _start(self, change: Change, funnel: Funnel, plan: _Plan) -> None:
        """A new record enters one of the funnel's start stages, with what it needs."""
        code = funnel.field
        if change.values.get(code) in EMPTY:
            change.values[code] = funnel.start[0]
        target = funnel.stage(change.values[code])
        if target is None:
            change.reject(code, Message("'%(value)s' is not a stage of %(funnel)s",
                                        value=change.values[code], funnel=funnel.name))
            return
        if target.code not in funnel.start:
            names = listed([stage_name(change.entity, funnel, s) for s in funnel.start])
            change.reject(code, Message("new records start in %(stages)s", stages=names))
            return
        merged = dict(change.values)
        missing = Missing(enter=missing_fields(change.entity, target.enter, merged),
                          related=related_problem(change.ctx.session, change.ctx.models,
                                                  change.entity, funnel, target, None))
        if missing:
            self._refuse(change, funnel, target, target, missing)
            return
        _apply_sets(change, None, target, keep_given=False)
        plan.moved = (None, target)

    def _move(self, change: Change, funnel: Funnel, plan: _Plan) -> None:
        code = funnel.field
        source = current_stage(funnel, change.before.get(code))
        if not change.changed(code):
            self._stage_values(change, funnel, source)
            return
        target = funnel.stage(change.values[code])
        if target is None:
            change.reject(code, Message("'%(value)s' is not a stage of this funnel",
                                        value=change.values[code]))
            return
        refusal = self._outcome_refusal(change.entity, funnel, source, target)
        if refusal:
            change.reject(code, refusal)
            return
        move = source.move(target.code)
        actor = change.ctx.actor
        if move is not None and (not move.roles or set(move.roles) & set(actor.roles)):
            kind = "next"
        else:
            kind = "skip" if funnel.index(target.code) > funnel.index(source.code) else "back"
        merged = {**change.before, **change.values}
        if kind == "next" and move is not None and not self.conditions.holds(
                change.entity.code, move.when, merged, change.before):
            change.reject(code, Message("the condition does not hold: %(condition)s",
                                        condition=move.when))
            return
        leave, enter = requirements(funnel, source, target, kind)
        session, models = change.ctx.session, change.ctx.models
        records = [m for m in (
            leave_problem(session, models, change.entity, funnel, source, target, kind,
                          change.record.id),
            related_problem(session, models, change.entity, funnel, target, change.record.id))
            if m is not None]
        missing = Missing(missing_fields(change.entity, leave, merged),
                          missing_fields(change.entity, enter, merged),
                          joined(records) if records else None, skip=kind == "skip")
        if missing:
            self._refuse(change, funnel, source, target, missing)
            return
        flow = move_flow(self.registry, self.conditions, change.entity.code, kind, source,
                         target, merged, change.before)
        if flow is not None:
            self._ask(change, plan, flow, funnel, source, target)
        elif kind != "next":
            change.reject(code, self._not_allowed(change.entity, funnel, source, target,
                                                  actor))
        else:
            _apply_sets(change, source, target, keep_given=False)
            plan.moved = (source, target)

    def _ask(self, change: Change, plan: _Plan, flow: Any, funnel: Funnel, source: Stage,
             target: Stage) -> None:
        code = funnel.field
        if plan.request is not None:
            change.reject(code, Message("save the stage move on its own: this write already "
                                        "asks for approval '%(flow)s'",
                                        flow=plan.request.flow.label))
            return
        if flow.comment_required and not _comment(change):
            change.reject("comment", Message("say why"))
        plan.request = Request(flow, "move", {code: target.code}, {code: source.code},
                               source.code, target.code)
        change.values.pop(code)

    def _stage_values(self, change: Change, funnel: Funnel, current: Stage) -> None:
        """What the current stage set on entry follows the stage, not the user."""
        for fcode, value in current.on_enter:
            if fcode in change.values and change.changed(fcode) and not same(
                    change.values[fcode], value):
                change.reject(fcode, Message(
                    "%(field)s is set by the stage %(stage)s: move the record instead",
                    field=field_name(change.entity, fcode),
                    stage=stage_name(change.entity, funnel, current.code)))

    def _outcome_refusal(self, entity: Entity, funnel: Funnel, source: Stage,
                         target: Stage) -> Message | None:
        """Won stages are entered only through their linked record (finance confirms the
        contract) and left only along their own moves."""
        if target.follows is not None or (target.outcome == "won" and source.outcome != "won"):
            linked = self.registry.entity(_follows_entity(funnel) or entity.code).label
            return Message("%(stage)s follows the %(entity)s's confirmation",
                           stage=stage_name(entity, funnel, target.code),
                           entity=Label(linked.zh, linked.en.lower()))
        if source.outcome == "won" and source.move(target.code) is None:
            return Message("a won record leaves its stage only when its contract is returned")
        return None

    def _not_allowed(self, entity: Entity, funnel: Funnel, source: Stage, target: Stage,
                     actor: Actor) -> Message:
        allowed = [stage_name(entity, funnel, m.to) for m in source.moves
                   if not m.roles or set(m.roles) & set(actor.roles)]
        return Message("cannot move from %(source)s to %(target)s (allowed: %(allowed)s)",
                       source=stage_name(entity, funnel, source.code),
                       target=stage_name(entity, funnel, target.code),
                       allowed=listed(allowed, "、") if allowed else Label("无", "none"))

    def _refuse(self, change: Change, funnel: Funnel, source: Stage, target: Stage,
                missing: Missing) -> None:
        change.reject(funnel.field, missing.message(change.entity, funnel, source, target))
        for fcode in dict.fromkeys((*missing.leave, *missing.enter)):
            change.reject(fcode, Message("required for this stage"))

    # ---- after -------------------------------------------------------------------------
    def after_save(self, change: Change) -> None:
        if self._saved(change):
            follow(self.registry, [change])

    def _saved(self, change: Change) -> bool:
        """What a saved record leaves behind, but the records following it; whether those
        are to be settled (a deleted record, or a write the guard planned)."""
        ctx = change.ctx
        plan = change.notes.get(NOTE)
        if change.deleting:
            supersede(ctx, change.entity.code, change.record.id,
                      Message("the record was deleted"))
            return True
        if plan is None:
            return False
        if plan.request is not None:
            start(ctx, change.entity, change.record, plan.request)
        if plan.moved is not None and plan.funnel is not None:
            record_move(change, plan.funnel, *plan.moved)
            if ctx.actor.system and plan.moved[0] is not None:
                supersede(ctx, change.entity.code, change.record.id,
                          Message("the record moved to another stage"))
        return True

    def after_batch(self, changes: Sequence[Change]) -> None:
        """New records entering their first stage: their stage history in one executemany;
        anything else (approval requests, updates, deletes) row by row; then the records
        following the batch (a confirmed contract's lead) settled together."""
        entries = []
        alone: set[int] = set()
        for change in changes:
            plan = change.notes.get(NOTE)
            if change.creating and plan is not None and plan.request is None and (
                    plan.moved is not None and plan.funnel is not None):
                if not path_loaded(change):
                    entries.append(move_row(change, plan.funnel, *plan.moved, since=None))
            else:
                alone.add(id(change))
        if entries:
            record_moves(changes[0].ctx, entries)
        follow(self.registry, [c for c in changes if id(c) not in alone or self._saved(c)])


def _follows_entity(funnel: Funnel) -> str | None:
    return next((s.follows.entity for s in funnel.stages if s.follows is not None), None)


def _fields(entity: Entity) -> set[str]:
    return {f.code for f in entity.fields}


def _apply_sets(change: Change, source: Stage | None, target: Stage, *,
                keep_given: bool) -> None:
    """Values the stage left sets on exit, then those the target sets on entry."""
    known = _fields(change.entity)
    sets = [*(source.on_leave if source else ()), *target.on_enter]
    for fcode, value in sets:
        if fcode not in known:
            continue
        if keep_given and change.values.get(fcode) not in EMPTY:
            continue
        change.values[fcode] = str(value) if value is not None and change.entity.field(
            fcode).type is FieldType.ENUM else value


def _comment(change: Change) -> bool:
    return bool(str(change.ctx.meta.get("comment") or "").strip())


def workflow_guard(registry: Registry) -> RecordHook | None:
    """The guard, when the config has funnels or workflows."""
    return WorkflowGuard(registry) if registry.funnels or registry.workflows else None
