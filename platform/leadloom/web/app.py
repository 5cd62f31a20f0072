"""The app factory: Registry → models → schema → FAB views, REST APIs and roles.

Building an app is a pure function of its settings: a fresh DeclarativeBase, a fresh
``AppBuilder`` and a fresh ``SQLA`` per call, so two apps can live in one process.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_appbuilder import AppBuilder
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.base import SQLA

from leadloom.access import Actor
from leadloom.lifecycle import active_registry
from leadloom.metadata.registry import Label
from leadloom.model import Models, build_models, create_engine, prepare_engine
from leadloom.records import Context, ensure_seed_rows
from leadloom.settings import Settings
from leadloom.web.api import answer_api_routing, answer_bad_tokens, build_api
from leadloom.web.config_admin import ConfigAdmin
from leadloom.web.converters import IdConverter, refuse_impossible_ids
from leadloom.web.csrf import protect
from leadloom.web.errors import answer_bad_input, answer_stale_records
from leadloom.web.home import Home
from leadloom.web.intake import add_intake
from leadloom.web.json_provider import ExactJSONProvider
from leadloom.web.labels import lazy
from leadloom.web.language import TRANSLATIONS, use_request_locale
from leadloom.web.leads import add_leads
from leadloom.web.login import protect_logins
from leadloom.web.lookup import add_lookup
from leadloom.web.members import Members, members_label
from leadloom.web.notifications import add_notifications
from leadloom.web.passwords import check_password, describe_rule
from leadloom.web.reports import add_reports
from leadloom.web.search import add_search
from leadloom.web.security import sync_roles
from leadloom.web.state import AppState
from leadloom.web.tasks import add_tasks
from leadloom.web.user_admin import LeadloomSecurityManager
from leadloom.web.views import build_view
from leadloom.web.widgets import serve_widget_texts
from leadloom.web.workflow import add_workflow

LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "gb", "name": "English"}}


#: a shorter ``LEADLOOM_SECRET_KEY`` is refused outside demo and tests
MIN_SECRET_KEY_LENGTH = 32


class MissingSecretKey(RuntimeError):
    """Outside the demo and tests, sessions and tokens need a real secret."""


class WeakSecretKey(MissingSecretKey):
    """A secret that short could be guessed, and sessions and tokens forged with it."""


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
    against the database (two queries or more per screen), for a command that serves no
    page (``demo-data``, ``user``); every web start syncs them anyway. Roles are synced.

    :raises ConfigInvalid: the first config has errors (nothing is touched).
    :raises DestructiveChange: the config would lose data (nothing is touched).
    :raises MissingSecretKey: ``LEADLOOM_SECRET_KEY`` is unset or too short (WeakSecretKey)
        outside demo and tests.
    """
    settings = settings or Settings.from_env()
    if not (testing or demo):
        _check_secret_key(settings.secret_key)
    settings.ensure_local_dirs()
    engine = create_engine(settings.database_url)
    try:
        registry = active_registry(engine, settings.config_dir, upgrade=upgrade)
    finally:
        engine.dispose()
    app = Flask("leadloom", template_folder=str(Path(__file__).parent / "templates"))
    answer_api_routing(app)
    app.config.update(_flask_config(settings, registry, testing))
    protect(app, enabled=not testing if csrf is None else csrf, proxy_hops=settings.proxy_hops)
    app.json = ExactJSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    refuse_impossible_ids(app)
    answer_bad_input(app)
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        prepare_engine(db.engine)
        appbuilder = AppBuilder(indexview=Home, base_template="leadloom/baselayout.html",
                                security_manager_class=LeadloomSecurityManager,
                                update_perms=sync_permissions)
        appbuilder.init_app(app, db.session)
        use_request_locale(app)
        serve_widget_texts(app)
        answer_bad_tokens(appbuilder.sm.jwt_manager)
        models = build_models(registry)
        app.extensions["leadloom"] = AppState(registry, models, db, appbuilder)
        ensure_seed_rows(Context(Actor.system_actor(), db.session, models, channel="seed"))
        _add_views(appbuilder, models)
        add_reports(appbuilder)
        add_notifications(appbuilder, app)
        add_leads(appbuilder, app)
        add_workflow(appbuilder)
        add_tasks(appbuilder)
        add_search(appbuilder)
        add_lookup(appbuilder)
        add_intake(app)
        _add_admin_views(appbuilder)
        protect_logins(appbuilder, settings.login_limits, testing=testing)
        describe_rule(appbuilder)
        sync_roles(appbuilder.sm, registry)
    app.after_request(_version_header)
    answer_stale_records(app)
    return app


def _check_secret_key(key: str | None) -> None:
    """Refuse a missing or short secret, in Chinese and English (no request, no locale)."""
    how = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    need = MIN_SECRET_KEY_LENGTH
    if not key:
        raise MissingSecretKey(f"请设置 LEADLOOM_SECRET_KEY：至少 {need} 个随机字符，例如 {how}\n"
                               f"set LEADLOOM_SECRET_KEY to at least {need} random characters, "
                               f"e.g. {how}")
    if len(key) < need:
        raise WeakSecretKey(f"LEADLOOM_SECRET_KEY 太短（{len(key)} 个字符）：至少需要 {need} 个"
                            f"随机字符，例如 {how}\nLEADLOOM_SECRET_KEY is too short "
                            f"({len(key)} characters): use at least {need} random characters, "
                            f"e.g. {how}")


def _version_header(response: Any) -> Any:
    """Every answer says which config version produced it (live swaps are observable)."""
    version = current_app.extensions["leadloom"].registry.version
    response.headers["X-Leadloom-Config-Version"] = str(version)
    return response


def _flask_config(settings: Settings, registry: Any, testing: bool) -> dict[str, Any]:
    return {
        "SECRET_KEY": settings.secret_key or secrets.token_urlsafe(48),
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "APP_NAME": lazy(registry.app.title),
        "BABEL_DEFAULT_LOCALE": registry.app.default_locale,
        "LANGUAGES": LANGUAGES,
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS),
        "FAB_API_SWAGGER_UI": True,
        # FAB's menu API is unused here and its document is wrong (separators are strings)
        "FAB_ADD_MENU_API": False,
        "TESTING": testing,
        "LEADLOOM_SETTINGS": settings,
        # logins: Flask-Limiter (FAB's) keeps the rate limit and lockout; the password policy
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "leadloom",
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": check_password,
    }


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
