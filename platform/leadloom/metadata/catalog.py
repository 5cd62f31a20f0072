"""A ``Message`` in a given language without Flask: notices are written by jobs (no request)
and stored in the app's language, and read later in each reader's (``web.language``).

The catalogs are the web layer's: ``leadloom/translations/<lang>/LC_MESSAGES/messages.mo``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label

CATALOGS = Path(__file__).resolve().parent.parent / "translations"


@functools.cache
def _catalog(locale: str) -> NullTranslations:
    return Translations.load(str(CATALOGS), [locale])


def in_language(message: Message, locale: str) -> str:
    """``message`` in ``locale`` (its English when the catalog lacks it)."""
    text = _catalog(locale).gettext(message.msgid)
    return text % _params(message.params, locale) if message.params else text


def _params(params: dict[str, Any], locale: str) -> dict[str, Any]:
    return {k: v.get(locale) if isinstance(v, Label) else
            in_language(v, locale) if isinstance(v, Message) else v
            for k, v in params.items()}


def stored(message: Message) -> dict[str, Any]:
    """``message`` as JSON: msgid and parameters (a ``Label`` as its two texts)."""
    return {"msgid": message.msgid, "params": {
        k: {"zh": v.zh, "en": v.en} if isinstance(v, Label) else
        stored(v) if isinstance(v, Message) else v for k, v in message.params.items()}}


def loaded(body: dict[str, Any]) -> Message:
    """The ``Message`` ``stored`` wrote."""
    params = {k: (loaded(v) if "msgid" in v else Label(v["zh"], v["en"]))
              if isinstance(v, dict) else v for k, v in body.get("params", {}).items()}
    return Message(body["msgid"], **params)
