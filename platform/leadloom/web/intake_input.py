"""What an intake submission holds: the form's fields, the missing ones, the caller's proof.

A submission is kept unless it misses what the form calls essential (``required`` fields,
and at least one ``contact`` field); everything else is the write path's concern
(``records.intake`` keeps values that fail a field rule).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import Any

from flask import request

from leadloom.metadata.intake import IntakeForm
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label

#: The header (or form field) an outside system sends the form's token in.
TOKEN_HEADER = "X-Intake-Token"
TOKEN_FIELD = "token"
#: The hidden field a person never sees and leaves empty; bots fill it in.
HONEYPOT = "homepage"
EMPTY = (None, "")


def submitted() -> dict[str, Any]:
    """The request's body as a mapping: JSON object, or form fields (empty if neither)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return dict(body) if isinstance(body, dict) else {}
    return request.form.to_dict()


def given_token(body: Mapping[str, Any]) -> str | None:
    """The token the caller sent, from the header or the body's ``token`` field."""
    token = request.headers.get(TOKEN_HEADER) or body.get(TOKEN_FIELD)
    return str(token) if token not in EMPTY else None


def token_matches(form: IntakeForm, token: str) -> bool:
    """Whether ``token`` is the form's (from its environment variable; unset: none is)."""
    expected = os.environ.get(form.token_env, "")
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def lead_values(form: IntakeForm, body: Mapping[str, Any]) -> dict[str, Any]:
    """The form's fields from ``body`` (others are ignored), text stripped."""
    values = {}
    for code in form.fields:
        value = body.get(code)
        values[code] = value.strip() if isinstance(value, str) else value
    return values


def missing(form: IntakeForm, entity: Entity, values: Mapping[str, Any]
            ) -> dict[str, list[Message]]:
    """Field code → why the lead cannot be kept: a required field or every contact empty."""
    errors: dict[str, list[Message]] = {}
    for code in form.required:
        if values.get(code) in EMPTY:
            errors[code] = [Message("%(field)s is required", field=entity.field(code).label)]
    if form.contact and all(values.get(code) in EMPTY for code in form.contact):
        labels = [entity.field(code).label for code in form.contact]
        names = Label("、".join(x.zh for x in labels), ", ".join(x.en for x in labels))
        for code in form.contact:
            errors[code] = [Message("give at least one way to reach you: %(fields)s",
                                    fields=names)]
    return errors


def with_defaults(form: IntakeForm, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the form's defaults where a visitor left a field empty."""
    filled = {k: v for k, v in values.items() if v not in EMPTY}
    for code, default in form.defaults:
        filled.setdefault(code, default)
    return filled
