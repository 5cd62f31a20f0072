"""What every app of a config version stands on: Flask, the database, FAB's security
manager, the models, the seed rows and the roles; the screens are ``web.app``'s.

``create_app`` builds this and adds the screens and APIs; ``web.data_app`` builds only
this, for commands that write data and serve no page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.base import SQLA

from leadloom.access import Actor
from leadloom.lifecycle import active_registry
from leadloom.model import build_models, create_engine, prepare_engine
from leadloom.records import Context, ensure_seed_rows
from leadloom.settings import Settings
from leadloom.web.labels import lazy
from leadloom.web.language import TRANSLATIONS
from leadloom.web.passwords import check_password
from leadloom.web.security import sync_roles
from leadloom.web.state import AppState
from leadloom.web.user_admin import LeadloomSecurityManager

LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "gb", "name": "English"}}

#: a shorter ``LEADLOOM_SECRET_KEY`` is refused outside demo and tests
MIN_SECRET_KEY_LENGTH = 32


class MissingSecretKey(RuntimeError):
    """Outside the demo and tests, sessions and tokens need a real secret."""


class WeakSecretKey(MissingSecretKey):
    """A secret that short could be guessed, and sessions and tokens forged with it."""


def build_foundation(settings: Settings | None, *, testing: bool, demo: bool, upgrade: bool,
                     appbuilder: AppBuilder,
                     before_appbuilder: Callable[[Flask], None] = lambda app: None) -> Flask:
    """A Flask app of the active config version with ``appbuilder`` initialised, its
    ``AppState`` in ``app.extensions["leadloom"]``, the seed rows made (an empty database
    gets version 1 of the config folder first).

    ``before_appbuilder(app)`` runs once the config is set, before FAB is initialised
    (request protection FAB must find, e.g. CSRF). Roles are left to the caller
    (``build_roles``), after the screens it adds.

    :raises ConfigInvalid: the first config has errors (nothing is touched).
    :raises DestructiveChange: the config would lose data (nothing is touched).
    :raises MissingSecretKey: ``LEADLOOM_SECRET_KEY`` is unset or too short outside demo
        and tests.
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
    app.config.update(_flask_config(settings, registry, testing))
    before_appbuilder(app)
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        prepare_engine(db.engine)
        appbuilder.init_app(app, db.session)
        models = build_models(registry)
        app.extensions["leadloom"] = AppState(registry, models, db, appbuilder)
        ensure_seed_rows(Context(Actor.system_actor(), db.session, models, channel="seed"))
    return app


def build_roles(app: Flask) -> None:
    """FAB's roles as the config grants them (``web.security``); within an app context."""
    st: AppState = app.extensions["leadloom"]
    sync_roles(st.appbuilder.sm, st.registry)


def new_appbuilder(cls: type[AppBuilder] = AppBuilder, *, update_perms: bool,
                   **options: Any) -> AppBuilder:
    """An AppBuilder with leadloom's security manager and page layout."""
    return cls(base_template="leadloom/baselayout.html",
               security_manager_class=LeadloomSecurityManager, update_perms=update_perms,
               **options)


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
