"""What one built app holds: registry, models, database and AppBuilder.

Kept in ``app.extensions["leadloom"]`` so two apps in one process never share state.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA

from leadloom.metadata.registry import Registry
from leadloom.model.tables import Models


@dataclass(slots=True)
class AppState:
    registry: Registry
    models: Models
    db: SQLA
    appbuilder: AppBuilder


def state() -> AppState:
    return current_app.extensions["leadloom"]
