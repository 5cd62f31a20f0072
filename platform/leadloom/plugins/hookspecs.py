"""The hooks a plugin may implement (pluggy specifications, project name ``leadloom``).

A plugin module marks its functions with ``@hookimpl`` (``from leadloom.plugins import
hookimpl``) and names them after a spec below, taking the arguments it needs (a subset);
``settings`` is the plugin's own part of ``app.yaml``'s ``plugins.settings``, checked
against its manifest. The loader refuses a plugin with a ``leadloom_*`` function no spec
names or with arguments the spec lacks. Hooks that return things
are called once when the registry is built; event hooks run inside the one write path,
in its transaction: an exception rolls the write back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pluggy

from leadloom.plugins.contributions import (
    FieldTypeSpec,
    PeriodicJob,
    RecordHookLike,
    ReportSectionSpec,
)
from leadloom.rules.functions import Function

PROJECT = "leadloom"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def leadloom_startup(settings: dict[str, Any]) -> None:
    """Called once when the plugin loads, with its settings from ``app.yaml`` (checked
    against the manifest's ``config`` schema). Raise to refuse starting."""


@hookspec
def leadloom_record_hooks(registry: Any, settings: dict[str, Any]) -> Sequence[RecordHookLike]:
    """Record hooks (subclasses of ``leadloom.records.RecordHook``) for this registry:
    ``before_save`` may change values or ``change.reject(field, message)``; ``after_save``
    runs once the row has its id, before the commit. They run for every channel (forms,
    REST, import, jobs) after the built-in value hooks and before the workflow guard and
    the audit trail."""


@hookspec
def leadloom_after_transition(change: Any, to: str) -> None:
    """A record moved to stage ``to`` (``change`` as record hooks see it), in the write's
    transaction; raising rolls the move back."""


@hookspec
def leadloom_approval_decided(ctx: Any, approval: Any, approved: bool) -> None:
    """An approval request was finally approved or rejected (``approval.status``), in the
    transaction that records the decision; ``ctx`` writes as the system, nested (what a
    plugin writes through ``leadloom.records`` with it commits with the decision)."""


@hookspec
def leadloom_field_types(settings: dict[str, Any]) -> Sequence[FieldTypeSpec]:
    """Field types an entity may declare (``type: <name>``)."""


@hookspec
def leadloom_rule_functions(settings: dict[str, Any]) -> Sequence[Function]:
    """Functions the rule language may call (``rules.Function``: name, callable, argument
    kinds, result kind); ``leadloom check`` type-checks calls like built-in ones."""


@hookspec
def leadloom_report_sections(settings: dict[str, Any]) -> Sequence[ReportSectionSpec]:
    """Report sections a ``config/reports/*.yaml`` may list."""


@hookspec
def leadloom_periodic_jobs(settings: dict[str, Any]) -> Sequence[PeriodicJob]:
    """Jobs to run on a schedule. Specification only: the scheduler does not run plugin
    jobs yet (docs/plugins.md)."""


@hookspec
def leadloom_notification_channels(settings: dict[str, Any]) -> Sequence[Any]:
    """Notification channels (e-mail, 企业微信, 钉钉, 飞书 ...). Specification only, for the
    next step of issue #16: each returns an object with ``name`` (``wecom``), the settings it
    needs, and ``send(delivery) -> None`` raising to be retried with backoff through the job
    queue; a failed channel never blocks the write that caused the notice."""


@hookspec
def leadloom_import_formats() -> Sequence[Any]:
    """Import file formats beyond CSV and XLSX. Specification only: each returns an object
    with ``suffix`` (``.ods``) and ``rows(file) -> Iterator[dict[str, str]]``."""


@hookspec
def leadloom_export_formats() -> Sequence[Any]:
    """Export file formats beyond CSV and XLSX. Specification only: each returns an object
    with ``suffix`` and ``write(rows, columns, out) -> None``."""
