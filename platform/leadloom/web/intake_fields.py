"""The inputs of a public intake form: each shown lead field as the page template needs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.intake import IntakeForm
from leadloom.metadata.registry import Entity
from leadloom.web.language import translated

#: the HTML input for each field type a form may show (anything else: a text input)
INPUT_TYPES = {FieldType.PHONE: "tel", FieldType.EMAIL: "email", FieldType.INTEGER: "number",
               FieldType.DATE: "date"}
#: where phones suggest a number pad and e-mails an @ key
INPUT_MODES = {FieldType.PHONE: "tel", FieldType.EMAIL: "email"}
AUTOCOMPLETE = {"contact_name": "name", "contact_phone": "tel", "contact_email": "email",
                "customer_name": "organization", "city": "address-level2",
                "contact_title": "organization-title"}


@dataclass(frozen=True, slots=True)
class Input:
    """One input of the page; ``kind`` is ``text``, ``textarea`` or ``select``."""

    code: str
    label: str
    kind: str
    input_type: str
    input_mode: str | None
    autocomplete: str
    required: bool
    value: str
    errors: tuple[str, ...]
    options: tuple[tuple[str, str], ...] = ()
    help: str | None = None


def form_fields(form: IntakeForm, entity: Entity, values: Mapping[str, Any],
                errors: Mapping[str, Any], locale: str) -> list[Input]:
    """The form's inputs in its order, with what was typed and what was wrong."""
    inputs = []
    for code in form.fields:
        f = entity.field(code)
        kind = ("select" if f.type is FieldType.ENUM
                else "textarea" if f.type is FieldType.TEXT else "text")
        messages = errors.get(code) or []
        inputs.append(Input(
            code=code, label=f.label.get(locale), kind=kind,
            input_type=INPUT_TYPES.get(f.type, "text"), input_mode=INPUT_MODES.get(f.type),
            autocomplete=AUTOCOMPLETE.get(code, "off"), required=code in form.required,
            value="" if values.get(code) is None else str(values[code]),
            errors=tuple(translated(m) for m in (messages if isinstance(messages, list)
                                                 else [messages])),
            options=tuple((o.code, o.label.get(locale)) for o in f.options if o.active),
            help=f.help.get(locale) if f.help else None))
    return inputs
