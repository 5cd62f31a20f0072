"""The intake channel's one leniency: data from outside is kept, never refused for a rule.

A web form or an outside system (channel ``intake``) may send a phone number of ten digits,
an e-mail without a domain, an industry that is not an option or a size that is not a
number. Refusing such a lead loses it, so on this channel — and only here; the
workspace's forms and the REST API stay strict — a value that fails its field rule is
kept:

- a phone or an e-mail as given, in its own field: people search and call with it, and the
  screening rules (``is_phone``/``is_email`` in ``config/leads.yaml``) flag the lead and set
  it to 待核实 until someone corrects it;
- any other value in the lead's ``raw_input`` text (原始录入值, "label: value" lines), the
  field itself left empty or given the form's default: a value the column cannot hold
  (text in a number, a code that is no option) is kept where a person reads it, and a
  screening rule on ``raw_input`` sets the lead to 待核实.

What still refuses a lead is missing data (the form's required fields, its contact rule,
checked by the caller) and everything the write path checks besides field rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadloom.metadata.field_types import DEFAULT_LENGTH, FieldType
from leadloom.metadata.registry import Entity
from leadloom.records.schemas import load_given

#: The channel of web forms and the intake API.
INTAKE = "intake"
#: ``Context.meta`` key: field code → the value a field gets when its own was not usable
DEFAULTS = "leadloom.intake_defaults"
#: The text field that keeps values no field could hold.
RAW_FIELD = "raw_input"
#: Field types whose failing value is stored as given in the field itself.
KEPT_IN_FIELD = (FieldType.PHONE, FieldType.EMAIL)


def keep_as_given(entity: Entity, data: Mapping[str, Any], defaults: Mapping[str, Any],
                  locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` without the values that fail their field rule, and those kept as given.

    :param defaults: what a field whose value moved to ``raw_input`` gets instead.
    :param locale: the language of the field labels in ``raw_input``.
    :return: (the input to load as usual, field code → text to store unchecked).
    """
    fields = {f.code: f for f in entity.fields}
    _, problems = load_given(entity, {k: v for k, v in data.items() if k in fields})
    given = dict(data)
    kept: dict[str, Any] = {}
    lines: list[str] = []
    for code in problems:
        f = fields[code]
        text = _text(given.pop(code))
        if f.type in KEPT_IN_FIELD and text:
            kept[code] = text[:f.length or DEFAULT_LENGTH[f.type]]
        elif RAW_FIELD in fields and code != RAW_FIELD:
            lines.append(f"{f.label.get(locale)}: {text}")
            if code in defaults:
                given[code] = defaults[code]
        else:
            given[code] = data[code]  # nowhere to keep it: refused as usual
    if lines:
        earlier = _text(given.get(RAW_FIELD))
        given[RAW_FIELD] = "\n".join([earlier, *lines] if earlier else lines)
    return given, kept


def _text(value: Any) -> str:
    """A value as a person reads it back."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    text = str(value).replace("\x00", "").strip()
    return text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
