"""Panels under a record's page: timelines, actions, history — each from its own module.

A panel provider gets the record's entity (its unit's view), the record and the actor, and
returns a ``Panel`` (a title and HTML it rendered with its own template) or ``None``. The
providers are a static list, so every record page shows the same panels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadloom.access import Actor
from leadloom.metadata.registry import Entity
from leadloom.web.leads import followup_panel
from leadloom.web.panel import Panel as Panel
from leadloom.web.workflow_panels import timeline_panel, workflow_panel

PanelProvider = Callable[[Entity, Any, Actor], Panel | None]
#: in page order
PANEL_PROVIDERS: tuple[PanelProvider, ...] = (followup_panel, workflow_panel, timeline_panel)


def panels_for(entity: Entity, record: Any, actor: Actor) -> list[Panel]:
    return [p for provider in PANEL_PROVIDERS for p in [provider(entity, record, actor)] if p]
