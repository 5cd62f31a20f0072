"""The audit trail: one append-only row per write through the write path.

The last hook, so it records the final values: who (user id and name), when, through which
channel, under which config version, and the old and new value of every field the write
changed (all set values for a new record, all stored values for a deleted one), with the
comment and the approval the write carried out, if any. Rows are only ever added, in the
write's own transaction; nothing in leadloom updates or deletes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from leadloom.metadata.registry import Registry
from leadloom.model.tables import utcnow
from leadloom.model.workflow import workflow_classes
from leadloom.records.appends import append_rows
from leadloom.records.hooks import Change, RecordHook
from leadloom.workflow.values import plain, same

if TYPE_CHECKING:
    from leadloom.records.service import Context

EMPTY: tuple[Any, ...] = (None, "", [])
#: value types (besides text) the audit trail stores as they are
JSON_READY = frozenset({int, float, bool})


class AuditTrail(RecordHook):
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def after_save(self, change: Change) -> None:
        self.after_batch([change])

    def after_batch(self, changes: Sequence[Change]) -> None:
        """One COPY or executemany for the whole batch."""
        if not changes:
            return
        ctx = changes[0].ctx
        table = workflow_classes(ctx.models.metadata).audit.__table__
        # plain rows, not pending ORM objects: the next query of another hook would flush
        # them on its own (one round trip per row in an import)
        append_rows(ctx.session, table, [_row(change) for change in changes])


def _row(change: Change) -> dict[str, Any]:
    ctx = change.ctx
    return {"entity": change.entity.code, "record_id": change.record.id,
            "action": _action(change), "actor_id": ctx.actor.user_id,
            "actor": ctx.actor.username, "channel": ctx.channel,
            "config_version": ctx.registry.version, "at": change.at or utcnow(),
            "changes": changes_of(change), "comment": ctx.meta.get("comment"),
            "approval_id": ctx.meta.get("approval")}


def _action(change: Change) -> str:
    return "delete" if change.deleting else "create" if change.creating else "update"


def changes_of(change: Change) -> dict[str, list[Any]]:
    """field code → [old, new] (JSON-ready) for what this write changed."""
    if change.deleting:
        return {k: [plain(v), None] for k, v in change.before.items() if v not in EMPTY}
    if change.creating:
        return _set_values(change.values)
    return {k: [plain(change.before.get(k)), plain(v)] for k, v in change.values.items()
            if not same(change.before.get(k), v)}


def _set_values(values: dict[str, Any]) -> dict[str, list[Any]]:
    """[None, value] for each value a new record was given: ``changes_of`` when creating,
    with text and numbers (most values) taken as they are, without ``plain``."""
    found = {}
    for k, v in values.items():
        kind = type(v)
        if kind is str:
            if v:
                found[k] = [None, v]
        elif kind in JSON_READY:
            found[k] = [None, v]
        elif v is not None and v != []:
            found[k] = [None, plain(v)]
    return found


def audit_hook(registry: Registry) -> RecordHook:
    return AuditTrail(registry)


def audit_export(ctx: Context, entity: str, details: dict[str, Any]) -> None:
    """One row for a file export: who, when, through which channel, and ``details`` (format,
    filters, columns, row count) in ``changes``; ``record_id`` 0, as it names no record.
    Added to ``ctx``'s transaction, which the caller commits."""
    table = workflow_classes(ctx.models.metadata).audit.__table__
    append_rows(ctx.session, table, [{
        "entity": entity, "record_id": 0, "action": "export", "actor_id": ctx.actor.user_id,
        "actor": ctx.actor.username, "channel": ctx.channel,
        "config_version": ctx.registry.version, "at": utcnow(), "changes": details,
        "comment": None, "approval_id": None}])
