"""Per-state field rights and amount confirmation, applied to a write (part of the
workflow guard): who may edit which field in the record's current state, the reason a
state asks for, resubmission after an edit, and what confirming an amount sets."""

from __future__ import annotations

import datetime as dt

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Registry
from leadloom.metadata.workflows import Workflow
from leadloom.model.tables import utcnow
from leadloom.records.hooks import Change
from leadloom.workflow.stages import EMPTY, field_name
from leadloom.workflow.states import (
    confirm,
    locked,
    locked_message,
    reconfirm,
    state_flows,
    state_name,
)
from leadloom.workflow.values import same


class StateRules:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def user(self, change: Change) -> None:
        for flow in state_flows(self.registry, change.entity.code):
            if flow.state is None or not change.entity.has_field(flow.state):
                continue
            if change.creating:
                self._new(change, flow)
            else:
                self._edit(change, flow)

    def _new(self, change: Change, flow: Workflow) -> None:
        """A new record starts in the state field's default unless the role may set it."""
        assert flow.state is not None
        default = change.entity.field(flow.state).default
        given = change.values.get(flow.state)
        if given in EMPTY or same(given, default):
            return
        if locked(flow, default, change.ctx.actor.roles, [flow.state]):
            change.reject(flow.state, locked_message(change.entity, flow, default))

    def _edit(self, change: Change, flow: Workflow) -> None:
        assert flow.state is not None
        state = change.before.get(flow.state)
        changed = [f for f in change.values if change.changed(f)]
        for fcode in locked(flow, state, change.ctx.actor.roles, changed):
            change.reject(fcode, locked_message(change.entity, flow, state))
        if change.changed(flow.state):
            self._entered(change, flow, change.values[flow.state])
            return
        spec = flow.state_spec(state)
        edited = [f for f in changed if f in flow.guarded and f not in (flow.state,
                                                                         spec and spec.reason)]
        if spec is not None and spec.after_edit is not None and edited:
            change.values[flow.state] = spec.after_edit

    def _entered(self, change: Change, flow: Workflow, state: object) -> None:
        """Entering ``state``: its reason, or the confirmation's values."""
        conf = flow.confirmation
        merged = {**change.before, **change.values}
        if conf is not None and same(state, conf.confirmed):
            outcome = confirm(flow, change.entity, merged, change.values,
                              change.ctx.actor.user_id, _now())
            change.values.update(outcome.values)
            for fcode, messages in outcome.errors.items():
                for message in messages:
                    change.reject(fcode, message)
        spec = flow.state_spec(state)
        if spec is not None and spec.reason and change.values.get(spec.reason) in EMPTY:
            change.reject(spec.reason, Message("%(state)s: say why in %(field)s",
                                               state=state_name(change.entity, flow, state),
                                               field=field_name(change.entity, spec.reason)))

    def system(self, change: Change) -> None:
        """The system's writes (an approved amount change, history loads): a record that
        becomes or stays confirmed gets the confirmation's values."""
        for flow in state_flows(self.registry, change.entity.code):
            conf = flow.confirmation
            if conf is None or flow.state is None or not change.entity.has_field(flow.state):
                continue
            merged = {**change.before, **change.values}
            if not same(merged.get(flow.state), conf.confirmed):
                continue
            if change.creating or change.changed(flow.state):
                given = {k: v for k, v in change.values.items() if v not in EMPTY}
                outcome = confirm(flow, change.entity, merged, given, None, _now())
                for fcode, value in outcome.values.items():
                    if change.values.get(fcode) in EMPTY:
                        change.values[fcode] = value
            elif change.changed(conf.amount) or change.changed(conf.confirmed_amount):
                change.values.update(reconfirm(flow, merged, change.values,
                                               change.ctx.actor.user_id, _now()))


def _now() -> dt.datetime:
    """Confirmation times to the second: forms show and send back whole seconds."""
    return utcnow().replace(microsecond=0)
