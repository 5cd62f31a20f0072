"""Record-form fields beyond WTForms' own: required marks, read-only values, money in 万,
and the search-as-you-type lookup for references and users.

None of them validates: ``records`` checks every rule, so a mark or a widget can never make
the form and the REST API disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms import DecimalField
from wtforms import Field as FormField

from leadloom.metadata.field_types import MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.web.labels import in_unit

#: ids are 32-bit integers: a larger "id" is text that the write path refuses
LARGEST_ID = 2**31 - 1
#: the unit beside a money input
UNIT_NAMES = {MoneyUnit.YUAN: Message("CNY"), MoneyUnit.WAN: Message("10k CNY")}


class RequiredMark:
    """Flags a field as required so the form shows the red *; the write path enforces it.

    The browser's own check (the ``required`` attribute) stays off: it would speak the
    browser's language and block the write path's field-by-field messages.
    """

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        """Checks nothing (see the class docstring)."""


def no_browser_check(render_kw: dict[str, Any] | None = None) -> dict[str, Any]:
    """``render_kw`` that keeps WTForms from writing ``required`` into the input."""
    return {**(render_kw or {}), "required": False}


class ReadOnlyWidget:
    """The value as text in the form's layout, with no input: nothing of it is submitted."""

    def __call__(self, field: ReadOnlyField, **kwargs: Any) -> Markup:
        text = field.shown or "—"
        return Markup(f'<p class="form-control-static ll-readonly" id="{escape(field.id)}">'
                      f"{escape(text)}</p>")


class ReadOnlyField(FormField):
    """A field shown but not edited (system fields, fields the user's roles may not change);
    ``shown`` is the display text, computed by the form from the record's value."""

    widget = ReadOnlyWidget()

    def __init__(self, *args: Any, shown: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown = shown

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Whatever is posted under its name is ignored."""


class MoneyInput(BS3TextFieldWidget):
    """A number box with its unit beside it (元 or 万) and the phone's decimal keypad."""

    def __call__(self, field: MoneyField, **kwargs: Any) -> Markup:
        kwargs.setdefault("inputmode", "decimal")
        unit = escape(gettext(UNIT_NAMES[field.unit].msgid))
        return Markup(f'<div class="input-group">{super().__call__(field, **kwargs)}'
                      f'<span class="input-group-addon">{unit}</span></div>')


class MoneyField(DecimalField):
    """Money entered in the field's unit (元 or 万), held in 元 like the stored value.

    In a 万 field "15" means 150000.00 元; the input shows the stored 150000.00 as "15".
    """

    widget = MoneyInput()

    def __init__(self, *args: Any, unit: MoneyUnit = MoneyUnit.YUAN, **kwargs: Any) -> None:
        super().__init__(*args, places=None, **kwargs)
        self.unit = unit

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{in_unit(self.unit, Decimal(self.data)):f}"

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                self.data = Decimal(self.data) * self.unit.factor
            except InvalidOperation:
                self.data = None


class LookupWidget:
    """A text box that searches as the user types, over a hidden input holding the id.

    ``form_lookup.html`` turns every ``.ll-lookup`` into the widget; without script the
    hidden id is kept, so an untouched field saves what it had.
    """

    def __call__(self, field: LookupField, **kwargs: Any) -> Markup:
        value = "" if field.data is None else str(field.data)
        shown = field.labeler(field.data) if isinstance(field.data, int) else ""
        return Markup(
            f'<div class="ll-lookup" data-url="{escape(field.url)}">'
            f'<input type="hidden" id="{escape(field.id)}" name="{escape(field.name)}"'
            f' value="{escape(value)}">'
            f'<input type="text" class="form-control ll-lookup-text" autocomplete="off"'
            f' id="{escape(field.id)}-text" value="{escape(shown)}"'
            f' role="combobox" aria-autocomplete="list" aria-expanded="false"'
            f' aria-controls="{escape(field.id)}-list" placeholder="{escape(field.hint)}">'
            f'<ul class="dropdown-menu ll-lookup-list" id="{escape(field.id)}-list"'
            f' role="listbox"></ul></div>')


class LookupField(FormField):
    """A reference or user field: its data is the chosen id, searched at ``url``;
    ``labeler`` names an id for the text box (also after a failed save)."""

    widget = LookupWidget()

    def __init__(self, *args: Any, url: str = "", labeler: Callable[[int], str] = str,
                 hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url, self.labeler, self.hint = url, labeler, hint

    def process_formdata(self, valuelist: list[Any]) -> None:
        """An id, or the posted text as it is for the write path to refuse."""
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = int(text) if text.isdecimal() and int(text) <= LARGEST_ID else text or None
