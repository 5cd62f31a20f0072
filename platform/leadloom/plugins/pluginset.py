"""``PluginSet``: the enabled plugins of one registry and what they contribute."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from leadloom.plugins.contributions import FieldTypeSpec, RecordHookLike, ReportSectionSpec
from leadloom.plugins.manifest import Manifest
from leadloom.rules.functions import Function


@dataclass(frozen=True, eq=False)
class PluginSet:
    """What the enabled plugins add; the empty set when none is enabled.

    Built once per registry by the loader; never changed after. Layers read the
    contributions they use (``field_types`` in ``metadata``, ``records`` and ``web``;
    ``functions`` wherever rules compile; ``sections`` in ``reporting``).
    """

    manifests: tuple[Manifest, ...] = ()
    field_types: Mapping[str, FieldTypeSpec] = field(default_factory=dict)
    functions: Mapping[str, Function] = field(default_factory=dict)
    sections: Mapping[str, ReportSectionSpec] = field(default_factory=dict)
    #: where each section's template lives (the providing plugin's folder)
    section_folders: Mapping[str, Path] = field(default_factory=dict)
    #: each plugin's checked settings (``app.yaml`` ``plugins.settings``), by plugin name
    settings: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    manager: pluggy.PluginManager | None = field(default=None, repr=False)

    def record_hooks(self, registry: Any) -> list[RecordHookLike]:
        """Every plugin's record hooks for ``registry``, in the order plugins are enabled."""
        if self.manager is None:
            return []
        impls = self.manager.hook.leadloom_record_hooks.get_hookimpls()
        order = {name: i for i, name in enumerate(self.names)}
        return [hook for impl in sorted(impls, key=lambda i: order[i.plugin_name])
                for hook in call_impl(impl, self.settings[impl.plugin_name],
                                      registry=registry) or ()]

    def after_transition(self, change: Any, to: str) -> None:
        if self.manager is not None:
            self.manager.hook.leadloom_after_transition(change=change, to=to)

    def approval_decided(self, ctx: Any, approval: Any, approved: bool) -> None:
        if self.manager is not None:
            self.manager.hook.leadloom_approval_decided(ctx=ctx, approval=approval,
                                                        approved=approved)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.manifests)


NO_PLUGINS = PluginSet()


def call_impl(impl: pluggy.HookImpl, settings: dict[str, Any], **kwargs: Any) -> Any:
    """Call one plugin's hook with the arguments it takes (its settings included)."""
    offered = {"settings": dict(settings), **kwargs}
    return impl.function(**{name: offered[name] for name in impl.argnames})
