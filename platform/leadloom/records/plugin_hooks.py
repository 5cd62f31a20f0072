"""Plugins inside the write path: their record hooks, their field types' validation and
the transition event, run as one built-in hook so every channel (forms, REST, imports,
jobs) runs them in the write's transaction: a plugin that raises rolls the write back, and
records a plugin writes through ``records`` in ``after_save`` are nested writes that
commit with the outer one."""

from __future__ import annotations

from collections.abc import Sequence

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Registry
from leadloom.plugins import PluginSet, RecordHookLike
from leadloom.records.hooks import Change, RecordHook
from leadloom.records.leads.nested import nested
from leadloom.workflow.stages import funnel_of


class PluginHooks(RecordHook):
    """The enabled plugins' hooks, in plugin order, after field-type validation."""

    def __init__(self, plugins: PluginSet, hooks: Sequence[RecordHookLike]) -> None:
        self.plugins = plugins
        self.hooks = tuple(hooks)

    def before_save(self, change: Change) -> None:
        self._validate(change)
        for hook in self.hooks:
            hook.before_save(change)

    def after_save(self, change: Change) -> None:
        with nested(change.ctx):  # what a plugin writes commits with the record, not before
            for hook in self.hooks:
                hook.after_save(change)
            self._moved(change)

    def before_batch(self, changes: Sequence[Change]) -> None:
        for change in changes:
            self._validate(change)
        for hook in self.hooks:
            hook.before_batch(changes)

    def after_batch(self, changes: Sequence[Change]) -> None:
        if not changes:
            return
        with nested(changes[0].ctx):
            for hook in self.hooks:
                hook.after_batch(changes)
            for change in changes:
                self._moved(change)

    def _validate(self, change: Change) -> None:
        """A plugin type's own check of each value written (an empty value is the
        ``required`` rule's business)."""
        for f in change.entity.fields:
            value = change.values.get(f.code)
            if f.plugin_type is None or value in (None, ""):
                continue
            problem = self.plugins.field_types[f.plugin_type].validate(value)
            if problem:
                change.reject(f.code, Message(problem))

    def _moved(self, change: Change) -> None:
        """``leadloom_after_transition`` when this write moved the record to a stage."""
        to = change.ctx.meta.get("transition")
        if to is None or change.creating:
            return
        funnel = funnel_of(change.ctx.registry, change.entity.code,
                           getattr(change.record, "unit", None))
        if funnel is not None and change.changed(funnel.field) and change.values[
                funnel.field] == to:
            self.plugins.after_transition(change, to)


def plugin_hook(registry: Registry) -> RecordHook | None:
    """The plugins' hook for ``registry``; None when no plugin is enabled."""
    plugins = registry.plugins
    if not plugins.manifests:
        return None
    return PluginHooks(plugins, plugins.record_hooks(registry))
