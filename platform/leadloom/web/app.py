"""The app factory: Registry → models → schema → FAB views, REST APIs and roles.

Building an app is a pure function of its settings: a fresh DeclarativeBase, a fresh
``AppBuilder`` and a fresh ``SQLA`` per call, so two apps can live in one process. The
foundation (config version, schema, models, seed rows, security manager) is
``web.foundation``'s, shared with ``web.data_app``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_appbuilder import AppBuilder

from leadloom.metadata.registry import Label
from leadloom.model import Models
from leadloom.settings import Settings
from leadloom.web.api import answer_api_routing, answer_bad_tokens, build_api
from leadloom.web.bearer import load_bearer_users_first
from leadloom.web.config_admin import ConfigAdmin
from leadloom.web.converters import IdConverter, refuse_impossible_ids
from leadloom.web.csrf import protect
from leadloom.web.errors import answer_bad_input, answer_stale_records
from leadloom.web.foundation import MIN_SECRET_KEY_LENGTH as MIN_SECRET_KEY_LENGTH
from leadloom.web.foundation import MissingSecretKey as MissingSecretKey
from leadloom.web.foundation import WeakSecretKey as WeakSecretKey
from leadloom.web.foundation import build_foundation, build_roles, new_appbuilder
from leadloom.web.home import Home
from leadloom.web.import_api import add_import_api
from leadloom.web.import_hub import add_import_hub
from leadloom.web.intake import add_intake
from leadloom.web.json_provider import ExactJSONProvider
from leadloom.web.labels import lazy
from leadloom.web.language import use_request_locale
from leadloom.web.leads import add_leads
from leadloom.web.login import protect_logins
from leadloom.web.lookup import add_lookup
from leadloom.web.members import Members, members_label
from leadloom.web.notifications import add_notifications
from leadloom.web.passwords import describe_rule
from leadloom.web.reports import add_reports
from leadloom.web.search import add_search
from leadloom.web.tasks import add_tasks
from leadloom.web.views import build_view
from leadloom.web.widgets import serve_widget_texts
from leadloom.web.workflow import add_workflow


def create_app(settings: Settings | None = None, *, testing: bool = False,
               demo: bool = False, upgrade: bool = True, csrf: bool | None = None,
               sync_permissions: bool = True) -> Flask:
    """Build the web app for ``settings`` (default: from the environment).

    The app runs the database's active config version; on an empty database the config
    folder is published as version 1 first. Seed rows are created, so a fresh database just
    works.

    ``csrf`` (default: on unless ``testing``) refuses state-changing requests without a
    token (``web.csrf``); a test that walks the routes builds a testing app with it on.

    ``sync_permissions`` off: the screens' Flask-AppBuilder permissions are not checked
    against the database (two queries or more per screen); every web start syncs them.
    Roles are synced. A command that serves no page builds ``web.data_app`` instead.

    :raises ConfigInvalid: the first config has errors (nothing is touched).
    :raises DestructiveChange: the config would lose data (nothing is touched).
    :raises MissingSecretKey: ``LEADLOOM_SECRET_KEY`` is unset or too short (WeakSecretKey)
        outside demo and tests.
    """

    def serve_requests(app: Flask) -> None:
        answer_api_routing(app)
        protect(app, enabled=not testing if csrf is None else csrf,
                proxy_hops=app.config["LEADLOOM_SETTINGS"].proxy_hops)
        app.json = ExactJSONProvider(app)
        app.url_map.converters["int"] = IdConverter
        refuse_impossible_ids(app)
        answer_bad_input(app)

    appbuilder = new_appbuilder(indexview=Home, update_perms=sync_permissions)
    app = build_foundation(settings, testing=testing, demo=demo, upgrade=upgrade,
                           appbuilder=appbuilder, before_appbuilder=serve_requests)
    with app.app_context():
        use_request_locale(app)
        serve_widget_texts(app)
        answer_bad_tokens(appbuilder.sm.jwt_manager)
        load_bearer_users_first(app)
        _add_views(appbuilder, app.extensions["leadloom"].models)
        add_reports(appbuilder)
        add_import_api(appbuilder)
        add_notifications(appbuilder, app)
        add_leads(appbuilder, app)
        add_workflow(appbuilder)
        add_tasks(appbuilder)
        add_search(appbuilder)
        add_import_hub(appbuilder)
        add_lookup(appbuilder)
        add_intake(app)
        _add_admin_views(appbuilder)
        protect_logins(appbuilder, app.config["LEADLOOM_SETTINGS"].login_limits,
                       testing=testing)
        describe_rule(appbuilder)
        build_roles(app)
    app.after_request(_version_header)
    answer_stale_records(app)
    return app


def _version_header(response: Any) -> Any:
    """Every answer says which config version produced it (live swaps are observable)."""
    version = current_app.extensions["leadloom"].registry.version
    response.headers["X-Leadloom-Config-Version"] = str(version)
    return response


def _add_admin_views(appbuilder: AppBuilder) -> None:
    """Config versions, the config editor and teams, under 设置 (admins only; everyone
    sets their own time away on the teams page)."""
    appbuilder.add_view(ConfigAdmin, "config_versions", href="/config/versions/",
                        label=lazy(Label("配置版本", "Config versions")), category="settings",
                        icon="fa-code-branch")
    appbuilder.add_link("config_edit", href="/config/edit/", icon="fa-edit",
                        label=lazy(Label("编辑配置", "Edit config")), category="settings")
    appbuilder.add_view(Members, "members", href="/members/", icon="fa-users",
                        label=members_label(), category="settings")


def _add_views(appbuilder: AppBuilder, models: Models) -> None:
    menus = {m.code: m for m in models.registry.menus}
    for entity in models.registry.entities:
        menu = menus[entity.menu]
        view = build_view(entity, models.cls(entity.code))
        appbuilder.add_view(view, entity.code, label=lazy(entity.label),
                            category=menu.code, category_label=lazy(menu.label),
                            category_icon=menu.icon)
        appbuilder.add_api(build_api(entity, view, models.registry.units))
