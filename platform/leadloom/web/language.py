"""The request's language, and write-path messages translated into it.

Pages follow the language chosen with the menu (Flask-AppBuilder keeps it in the session,
the app's default until then). REST calls follow the language the user chose, else their
``Accept-Language`` header (zh or en), else the app's default. Messages come from the
catalogs in ``leadloom/translations`` (``pybabel``, see ``babel.cfg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import LazyString, force_locale, gettext

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.web.labels import current_locale

#: The catalogs: ``translations/<lang>/LC_MESSAGES/messages.po`` and the compiled ``.mo``.
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: Set with the default language FAB writes into a new session, so it is not taken as a
#: choice the user made.
DEFAULTED = "locale_defaulted"


def use_request_locale(app: Flask) -> None:
    """Select each request's language with ``request_locale`` (after FAB's Babel setup)."""
    app.extensions["babel"].locale_selector = request_locale
    app.before_request(_note_choice)


def _note_choice() -> None:
    """A language picked in the menu is a choice, even when it is the default."""
    if request.endpoint == "LocaleView.index":
        session.pop(DEFAULTED, None)


def request_locale() -> str | None:
    """Babel's locale selector (replaces FAB's, which knows no ``Accept-Language``)."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("_l_")
    if asked is not None:
        return asked if asked in languages else default
    chosen = session.get("locale")
    if chosen in languages and chosen != session.get(DEFAULTED):
        return str(chosen)
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(languages)) or default
    if not chosen:  # pages: the language menu shows the session's language
        session["locale"] = session[DEFAULTED] = default
    return str(chosen or default)


def translated(message: Any) -> str:
    """``message`` in the request's language: a ``Message`` by its msgid and parameters,
    any other text if the catalog has it (marshmallow's own messages), else as it is."""
    if isinstance(message, Message):
        locale = current_locale()
        params = {k: v.get(locale) if isinstance(v, Label) else
                  translated(v) if isinstance(v, Message) else v
                  for k, v in message.params.items()}
        return str(gettext(message.msgid, **params))
    text = str(message)
    return str(gettext(text)) if text else text


def lazy_translated(message: Message) -> LazyString:
    """``message`` translated when rendered, in the language of that request (form texts)."""
    return LazyString(lambda: translated(message))


def bilingual(message: Message) -> str:
    """``message`` in Chinese and English, for answers without a request (the CLI)."""
    texts = []
    for locale in ("zh", "en"):
        with force_locale(locale):
            texts.append(translated(message))
    return " / ".join(texts)
