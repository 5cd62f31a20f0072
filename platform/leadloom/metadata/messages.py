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
    parameter (an entity's name) reads in English here and in the user's language there; so
    does a ``Message`` parameter (one refusal quoting another).
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


def listed(labels: list[Label] | tuple[Label, ...], zh: str = ", ") -> Label:
    """Several labels as one: "预计金额, 预计成交日期" / "Expected amount, Expected close date";
    ``zh`` separates them in Chinese."""
    return Label(zh.join(label.zh for label in labels), ", ".join(label.en for label in labels))


def joined(parts: list[Message]) -> Message:
    """Several sentences as one message ("；" between them in Chinese, "; " in English)."""
    whole = parts[0]
    for part in parts[1:]:
        whole = Message("%(first)s; %(then)s", first=whole, then=part)
    return whole
