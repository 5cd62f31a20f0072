"""Panels under a record's page: timelines, actions, history — each from its own module.

A panel provider gets the record's entity (its unit's view), the record and the actor, and
returns a ``Panel`` (a title and HTML it rendered with its own template) or ``None``. The
providers are a static list, so every record page shows the same panels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from leadloom.access import Actor
from leadloom.metadata.registry import Entity


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    html: Markup


PanelProvider = Callable[[Entity, Any, Actor], Panel | None]
#: in page order
PANEL_PROVIDERS: tuple[PanelProvider, ...] = ()


def panels_for(entity: Entity, record: Any, actor: Actor) -> list[Panel]:
    return [p for provider in PANEL_PROVIDERS for p in [provider(entity, record, actor)] if p]
