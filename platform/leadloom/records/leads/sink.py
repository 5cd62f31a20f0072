"""What the lead rules write after a lead is saved — duplicate keys, history, messages,
first-touch tasks — collected and written together: at the end of one write, or once for
a whole batch (one COPY or executemany per table, one nested bulk create of the tasks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.records.appends import append_rows
from leadloom.records.leads.events import record_events
from leadloom.records.leads.nested import nested_bulk_create, nested_create
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
        self.keys, self.events, self.tasks = [], [], []
