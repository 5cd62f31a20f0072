"""Fields of a plugin's type in forms: a cascading picker (省 / 市 / 区) over a hidden input
holding the code, or a plain text box when the type has no choices.

The first levels are rendered with the page (the current value's path chosen); picking a
level asks ``GET /api/v1/lookup/_type/<type>?parent=<code>`` for the next (the
``LookupApi``). The write path validates the code whatever the form sent.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms import StringField

from leadloom.metadata.messages import Message
from leadloom.plugins import Choice, FieldTypeSpec
from leadloom.records import NotFound, RecordInvalid
from leadloom.web.state import state

#: the empty first entry of each level
PICK = Message("— choose —")
#: a parent code is at most this long (longer is refused, not looked up)
MAX_CODE = 32


def type_url(name: str) -> str:
    return f"/api/v1/lookup/_type/{name}"


class CascadeWidget:
    """One ``<select>`` per level; ``form_cascade.html`` wires them together."""

    def __call__(self, field: CascadeField, **kwargs: Any) -> Markup:
        spec = field.spec
        value = "" if field.data is None else str(field.data)
        path = list(spec_path(spec, value))
        parents: list[str | None] = [None, *path]
        selects = []
        for level in range(spec.levels):
            parent = parents[level] if level < len(parents) else ""
            choices = spec.children(parent) if spec.children and parent != "" else []
            chosen = path[level] if level < len(path) else ""
            selects.append(_select(field, level, choices, chosen, hidden=level > 0 and not
                                   choices))
        return Markup(
            f'<div class="ll-cascade" data-url="{escape(type_url(spec.name))}">'
            f'<input type="hidden" id="{escape(field.id)}" name="{escape(field.name)}"'
            f' value="{escape(value)}">{"".join(selects)}</div>')


def _select(field: CascadeField, level: int, choices: Any, chosen: str, *,
            hidden: bool) -> str:
    options = [f'<option value="">{escape(gettext(PICK.msgid))}</option>'] + [
        f'<option value="{escape(c.code)}"{" selected" if c.code == chosen else ""}>'
        f"{escape(c.name)}</option>" for c in choices]
    style = ' style="display:none"' if hidden else ""
    return (f'<select class="form-control ll-cascade-level" data-level="{level}"'
            f' aria-label="{escape(str(field.label.text))} {level + 1}"{style}>'
            f'{"".join(options)}</select>')


class CascadeField(StringField):
    """The stored code of a plugin field type with choices; the widget picks it."""

    widget = CascadeWidget()

    def __init__(self, *args: Any, spec: FieldTypeSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec


def spec_path(spec: FieldTypeSpec, code: str) -> list[str]:
    """The codes from the top level down to ``code`` (empty when none or unknown)."""
    return list(spec.path(code)) if code and spec.path else []


def plugin_form_field(spec: FieldTypeSpec, common: dict[str, Any]) -> Any:
    """The form field of a plugin type: a picker when it has choices, else a text box."""
    if spec.children is None:
        return StringField(widget=BS3TextFieldWidget(), **common)
    return CascadeField(spec=spec, **common)


def type_choices(name: str, parent: str | None) -> list[Choice]:
    """The choices of plugin type ``name`` under ``parent`` (None: the top level).

    :raises NotFound: no enabled plugin type ``name`` has choices.
    :raises RecordInvalid: ``parent`` is too long to be a code.
    """
    spec = state().registry.plugins.field_types.get(name)
    if spec is None or spec.children is None:
        raise NotFound(Message("no field type '%(type)s' with choices", type=name))
    if parent is not None and len(parent) > MAX_CODE:
        raise RecordInvalid({"parent": [Message("not a code of this list")]})
    return list(spec.children(parent or None))
