"""The app of a command that writes data and serves no page (``demo-data``, ``user``).

The same foundation as the web app (``web.foundation``: config version, schema, models,
seed rows, FAB's security manager, roles synced from the config), without a screen, an
API or FAB's own security views: their permissions are the web app's to sync when it
starts, as ``create_app(sync_permissions=False)`` leaves them. On a fresh database this
is about a second less than the web app: 600 routes and their modules never built.
"""

from __future__ import annotations

from flask import Flask
from flask_appbuilder import AppBuilder

from leadloom.settings import Settings
from leadloom.web.foundation import build_foundation, build_roles, new_appbuilder


class DataAppBuilder(AppBuilder):
    """FAB without its index, security, language and OpenAPI views (nothing is served)."""

    def _add_admin_views(self) -> None:
        """No FAB screen: nothing here is served."""

    def _add_addon_views(self) -> None:
        """No add-on screen either."""


def create_data_app(settings: Settings | None = None, *, testing: bool = False,
                    demo: bool = False, upgrade: bool = True) -> Flask:
    """The app for writing data through ``leadloom.records`` and managing users, with the
    roles a web start of the same config gives (less the screens' own permissions, synced
    by that start).

    :raises ConfigInvalid: the first config has errors (nothing is touched).
    :raises DestructiveChange: the config would lose data (nothing is touched).
    :raises MissingSecretKey: ``LEADLOOM_SECRET_KEY`` is unset or too short outside demo
        and tests.
    """
    app = build_foundation(settings, testing=testing, demo=demo, upgrade=upgrade,
                           appbuilder=new_appbuilder(DataAppBuilder, update_perms=False))
    with app.app_context():
        build_roles(app)
    return app
