"""A record's fields as its page shows them: one tab per section of its unit's view, each
value as it reads (option labels, money, local times), phones and e-mails as links."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.web import layout
from leadloom.web.approvals import user_name
from leadloom.web.labels import current_locale
from leadloom.web.state import state


def field_sections(view: Entity, record: Any, values: dict[str, Any],
                   hidden: frozenset[str]) -> list[dict[str, Any]]:
    """The tabs: ``{"code", "label", "rows": [(label, html)]}`` per section; ``values``
    are the record's values by column as Flask-AppBuilder reads them (references as their
    records)."""
    labels = layout.labels(view)
    formatters = layout.formatters(view)
    tabs = []
    for index, (label, spec) in enumerate(layout.show_fieldsets(view, hidden)):
        rows = [(labels[code], _shown(view, record, code, values.get(code), formatters))
                for code in spec["fields"]]
        tabs.append({"code": f"ll-tab-{index}", "label": str(label), "rows": rows})
    return tabs


def _shown(view: Entity, record: Any, code: str, value: Any,
           formatters: dict[str, Any]) -> Markup:
    if code == "owner":
        return escape(user_name(record.owner_id)) if record.owner_id is not None else Markup()
    if code == "unit" and value:
        units = {u.code: u.label for u in state().registry.units}
        return escape(units[value].get(current_locale()) if value in units else value)
    text = formatters[code](value) if code in formatters else "" if value is None \
        else str(value)
    kind = view.field(code).type if view.has_field(code) else None
    if text and kind is FieldType.PHONE:
        dial = "".join(c for c in text if c.isdigit() or c == "+")
        return Markup('<a href="tel:{}">{}</a>').format(dial, text)
    if text and kind is FieldType.EMAIL:
        return Markup('<a href="mailto:{}">{}</a>').format(text, text)
    return escape(text)
