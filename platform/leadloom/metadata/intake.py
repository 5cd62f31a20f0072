"""Intake forms, ``config/intake/<form>.yaml``: public web-to-lead forms and their API.

A form names the source its leads get (a source code), an optional campaign, the lead
fields it shows, which of them a lead cannot do without (``required``, and at least one of
``contact``), defaults for the lead's other required fields, a thank-you text, the
environment variable holding its token and a rate limit per client IP. The form's name is
the file stem: ``/intake/website``.

The reading itself is the loader's (line numbers, shape errors); this module owns the
marshmallow schema, the cross-checks against the lead entity (``check_intake``) and the
frozen dataclasses the Registry holds (``build_intake``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, validate
from marshmallow import fields as mf

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import Label

#: The entity intake forms create.
ENTITY = "lead"
CODE = re.compile(r"^[a-z][a-z0-9_-]*$")
SOURCE_CODE = re.compile(r"^[A-Z][A-Z0-9]*$")
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: Flask-Limiter's notation: "10 per minute", "100/hour", "5 per second; 50 per hour"
RATE = re.compile(r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*"
                  r"(;\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*)*$")
#: Fields the write path sets itself: a form neither shows nor presets them.
SET_BY_FORM = frozenset({"source", "campaign", "status", "owner"})


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ThanksSchema(_Strict):
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))


def _codes() -> mf.List:
    return mf.List(mf.String(), load_default=list)


class IntakeSchema(_Strict):
    form = mf.String()
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))
    source = mf.String(required=True, validate=validate.Regexp(
        SOURCE_CODE, error="'{input}' is not a source code like 'WEB'"))
    campaign = mf.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=64, error="at most 64 characters"))
    fields = mf.List(mf.String(), required=True,
                     validate=validate.Length(min=1, error="show at least one field"))
    required = _codes()
    contact = _codes()
    defaults = mf.Dict(keys=mf.String(), load_default=dict)
    thanks = mf.Nested(ThanksSchema, required=True)
    token_env = mf.String(required=True, validate=validate.Regexp(
        ENV_NAME, error="'{input}' is not an environment variable name like "
                        "LEADLOOM_INTAKE_WEB_TOKEN"))
    rate_limit = mf.String(load_default="10 per minute", validate=validate.Regexp(
        RATE, error="'{input}' is not a rate like '10 per minute'"))


#: every schema of an intake file, for "did you mean" hints on unknown keys
SCHEMAS = (IntakeSchema, ThanksSchema)


@dataclass(frozen=True, slots=True)
class IntakeForm:
    """A public web-to-lead form; ``token_env`` names the variable holding its token."""

    name: str
    label: Label
    source: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    contact: tuple[str, ...]
    thanks: Label
    token_env: str
    rate_limit: str
    campaign: str | None = None
    #: (field code, value) for the lead's required fields a visitor left empty
    defaults: tuple[tuple[str, Any], ...] = ()


def find_form(forms: tuple[IntakeForm, ...], name: str) -> IntakeForm | None:
    """The form named ``name``, if there is one."""
    return next((f for f in forms if f.name == name), None)


def check_intake(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem of the intake files."""
    if not parts.intake:
        return []
    lead = parts.entities.get(ENTITY)
    if lead is None:
        if ENTITY in parts.broken_entities:
            return []
        return [part.error((), f"intake forms need the entity '{ENTITY}'")
                for part in parts.intake.values()]
    errors: list[ConfigError] = []
    for name, part in parts.intake.items():
        errors += _check_form(name, part, lead)
    return errors


def _check_form(name: str, part: Part, lead: Part) -> Iterator[ConfigError]:
    data = part.data
    stem = Path(part.doc.file).stem
    if "form" in data and data["form"] != stem:
        yield part.error(("form",), f"'{data['form']}' must match the file name '{stem}'")
    if not CODE.match(name):
        yield part.error(("form",), f"'{name}' is not a form name: use a-z, 0-9, _ and -")
    fields: dict[str, Any] = lead.data["fields"]
    known = sorted(set(fields) - SET_BY_FORM)
    yield from _unknown(part, "fields", data["fields"], known)
    shown = set(data["fields"])
    for key in ("required", "contact"):
        for i, code in enumerate(data[key]):
            if code not in shown:
                yield part.error((key, i), f"'{code}' is not in this form's fields")
    if not data["required"] and not data["contact"]:
        yield part.error(("required",), "name what a lead needs: 'required' or 'contact'")
    yield from _unknown(part, "defaults", list(data["defaults"]), known)
    written = isinstance(part.doc.data, dict) and "defaults" in part.doc.data
    for code, spec in fields.items():
        if not spec.get("required") or code in SET_BY_FORM or code in data["required"]:
            continue
        if code not in data["defaults"] and spec.get("default") is None:
            yield part.error(("defaults",) if written else ("required",),
                             f"give a default for the lead's required field '{code}'")


def _unknown(part: Part, key: str, codes: list[str], known: list[str]
             ) -> Iterator[ConfigError]:
    for i, code in enumerate(codes):
        if code not in known:
            path: tuple[str | int, ...] = (key, i) if key == "fields" else (key, code)
            yield part.error(path, f"'{code}' is not a lead field a form may set")
        elif key == "fields" and codes.index(code) != i:
            yield part.error((key, i), f"'{code}' is listed twice")


def build_intake(parts: ConfigParts) -> tuple[IntakeForm, ...]:
    """The forms, sorted by name; ``parts`` must have passed ``check_intake``."""
    return tuple(_form(name, part.data) for name, part in sorted(parts.intake.items()))


def _form(name: str, data: dict[str, Any]) -> IntakeForm:
    return IntakeForm(
        name=name, label=Label(zh=data["zh"], en=data["en"]), source=data["source"],
        fields=tuple(data["fields"]), required=tuple(data["required"]),
        contact=tuple(data["contact"]),
        thanks=Label(zh=data["thanks"]["zh"], en=data["thanks"]["en"]),
        token_env=data["token_env"], rate_limit=data["rate_limit"],
        campaign=data["campaign"], defaults=tuple(sorted(data["defaults"].items())))
