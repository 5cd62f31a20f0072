"""Hooks: the write path's extension points, run for every channel in the same order.

Built-in behaviour (lead numbering, screening, grading, workflow guards, the audit trail…)
and plugins are ``RecordHook`` implementations. ``before_save`` may change the values being
written or add problems (all problems end in one ``RecordInvalid``); ``after_save`` runs in
the same transaction once the row has its id, so what it writes commits or rolls back with
the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadloom.metadata.registry import Entity, Registry
from leadloom.records.identity_cache import by_identity

if TYPE_CHECKING:
    from leadloom.records.service import Context


@dataclass(slots=True)
class Change:
    """One write in progress, as every hook sees it."""

    ctx: Context
    #: the entity as the record's business unit sees it
    entity: Entity
    #: the ORM object; in a bulk write ``None`` before saving and, after saving, a plain
    #: object with the row's id, owner_id, unit and columns
    record: Any
    #: validated input; a ``before_save`` hook may add or change values
    values: dict[str, Any]
    #: stored values before this write (field code → value); empty when creating
    before: dict[str, Any] = field(default_factory=dict)
    creating: bool = False
    deleting: bool = False
    #: problems a hook found, by field code ("" for the record as a whole)
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: scratch space a hook keeps between its before_save and after_save (key: its name)
    notes: dict[str, Any] = field(default_factory=dict)
    #: columns a ``before_batch`` hook decided that are not values of this write (the
    #: lead's number, its owner and unit after the rules placed it): a bulk write inserts
    #: the row with them, so the row is not updated after the insert, and they are not
    #: audited (as the single path's ``write_columns`` after the save is not)
    columns: dict[str, Any] = field(default_factory=dict)
    #: when the write happened, if not now: history the system loads with its own
    #: ``created_at`` (demo data, migrations); the audit trail and stage history use it
    at: dt.datetime | None = None

    def reject(self, field_code: str, message: str) -> None:
        self.errors.setdefault(field_code, []).append(message)

    def changed(self, field_code: str) -> bool:
        """Whether this write sets ``field_code`` to something new."""
        return field_code in self.values and self.values[field_code] != self.before.get(
            field_code)


class RecordHook:
    """Base class: override what you need; the defaults do nothing."""

    def before_save(self, change: Change) -> None:
        """Called after validation, before anything is written."""

    def after_save(self, change: Change) -> None:
        """Called after the row is written (it has an id), before the commit."""

    def before_batch(self, changes: Sequence[Change]) -> None:
        """A batch of writes of one entity (the batch mode: imports, demo data, periodic
        rules): by default ``before_save`` for each; a hook overrides this to do its work
        for the whole batch in a few statements, with the same outcome per row."""
        for change in changes:
            self.before_save(change)

    def after_batch(self, changes: Sequence[Change]) -> None:
        """After a batch is written (every row has its id): by default ``after_save`` for
        each; overridden like ``before_batch``."""
        for change in changes:
            self.after_save(change)


HookFactory = Callable[[Registry], RecordHook | None]


def hooks_for(registry: Registry) -> tuple[RecordHook, ...]:
    """The hooks for a registry, built once per Registry object."""
    return by_identity(_CACHE, registry, lambda: tuple(
        h for factory in BUILTIN_HOOKS for h in [factory(registry)] if h is not None))


_CACHE: dict[int, tuple[Registry, tuple[RecordHook, ...]]] = {}


def run_before(hooks: tuple[RecordHook, ...], change: Change) -> None:
    for hook in hooks:
        hook.before_save(change)


def run_after(hooks: tuple[RecordHook, ...], change: Change) -> None:
    for hook in hooks:
        hook.after_save(change)


def run_before_batch(hooks: tuple[RecordHook, ...], changes: Sequence[Change]) -> None:
    """Each hook in turn over the whole batch (hook order as for a single write)."""
    for hook in hooks:
        hook.before_batch(changes)


def run_after_batch(hooks: tuple[RecordHook, ...], changes: Sequence[Change]) -> None:
    for hook in hooks:
        hook.after_batch(changes)


# ---- the built-in hooks -------------------------------------------------------------------
# Imported last: they subclass RecordHook and build on the write path, which imports this
# module; importing them above the classes would be a cycle.
from leadloom.records.absences import absence_hook  # noqa: E402
from leadloom.records.audit import audit_hook  # noqa: E402
from leadloom.records.guards import workflow_guard  # noqa: E402
from leadloom.records.leads.event_tasks import task_rule_hooks  # noqa: E402
from leadloom.records.leads.pipeline import followup_hooks, lead_hooks  # noqa: E402
from leadloom.records.plugin_hooks import plugin_hook  # noqa: E402

#: Built-in hooks, in the order they run; each factory may return None when the config does
#: not use it. A static list (not a registry filled at import time), so no channel can miss
#: one by not importing a module. The enabled plugins' hooks (``plugin_hook``) run after
#: the built-in value hooks; the workflow guard runs after the hooks that fill in values;
#: the audit trail runs last, so it records the final values.
BUILTIN_HOOKS: tuple[HookFactory, ...] = (lead_hooks, followup_hooks, task_rule_hooks,
                                          absence_hook, plugin_hook, workflow_guard,
                                          audit_hook)
