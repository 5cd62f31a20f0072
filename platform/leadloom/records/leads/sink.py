"""What the lead rules write after a lead is saved — duplicate keys, history, messages,
first-touch tasks — collected and written together: at the end of one write, or once for
a whole batch (one COPY or executemany per table, one nested bulk create of the tasks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.records.appends import append_rows
from leadloom.records.leads.events import record_events
from leadloom.records.leads.nested import nested_bulk_create, nested_bulk_update, nested_create
from leadloom.records.notify import Outbox

if TYPE_CHECKING:
    from leadloom.records.service import Context


@dataclass(slots=True)
class Sink:
    #: a batch (tasks made in one nested bulk create) or a single write (nested create)
    batch: bool = False
    keys: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: Outbox = field(default_factory=Outbox)
    #: tasks to create, each with its ``owner``
    tasks: list[dict[str, Any]] = field(default_factory=list)
    #: (lead id, task kind) → the lead's new deadline its open task of that kind follows
    task_dues: dict[tuple[int, str], dt.datetime] = field(default_factory=dict)

    def flush(self, ctx: Context) -> None:
        if self.keys:
            append_rows(ctx.session, ctx.models.metadata.tables[DEDUPE_KEY_TABLE], self.keys)
        record_events(ctx, self.events)
        self.outbox.send(ctx)
        if self.batch and self.tasks:
            nested_bulk_create(ctx, "task", self.tasks)
        elif self.tasks:
            for task in self.tasks:
                nested_create(ctx, "task", task, owner_id=task.get("owner"))
        if self.task_dues:
            _move_tasks(ctx, self.task_dues)
        self.keys, self.events, self.tasks, self.task_dues = [], [], [], {}


#: task statuses of a task still to do (its due date follows its lead's deadline)
OPEN_TASK_STATUSES = ("todo", "overdue")


def _move_tasks(ctx: Context, dues: dict[tuple[int, str], dt.datetime]) -> None:
    """The open rule-made tasks whose lead's deadline moved get its new due date, through
    the write path (audited), in one batch."""
    task = ctx.models.cls("task").__table__
    leads = sorted({lead_id for lead_id, _ in dues})
    changes: dict[int, dict[str, Any]] = {}
    for start in range(0, len(leads), 500):
        for row in ctx.session.execute(sa.select(task.c.id, task.c.lead_id, task.c.kind,
                                                 task.c.due_at).where(
                task.c.lead_id.in_(leads[start:start + 500]),
                task.c.kind.in_({kind for _, kind in dues}),
                task.c.status.in_(OPEN_TASK_STATUSES))):
            due = dues.get((row.lead_id, row.kind))
            if due is not None and due != row.due_at:
                changes[row.id] = {"due_at": due}
    if changes:
        nested_bulk_update(ctx, "task", changes)
