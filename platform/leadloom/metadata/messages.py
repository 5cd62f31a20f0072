"""User-facing messages of every layer, translatable without importing Flask.

A :class:`Message` is the English text (so logs, the CLI and tests read it as before) and
carries its msgid and parameters; the web layer translates it into the request's language
with the catalogs under ``leadloom/translations`` (``web.language.translated``).
"""

from __future__ import annotations

from typing import Any

from leadloom.metadata.registry import Label


class Message(str):
    """English text that remembers ``msgid`` (with ``%(name)s`` placeholders) and params.

    The parameters are filled in with ``%``, never ``str.format``, so user input and
    config text containing braces (a regular expression's ``{18}``) are safe. A ``Label``
    parameter (an entity's name) reads in English here and in the user's language there.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % english(params) if params else msgid
        message = super().__new__(cls, text)
        message.msgid = msgid
        message.params = params
        return message


def english(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each ``Label`` in English."""
    return {k: v.en if isinstance(v, Label) else v for k, v in params.items()}
