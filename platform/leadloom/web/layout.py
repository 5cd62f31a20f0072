"""What a screen shows of an entity, for one business unit's view of it.

Columns, labels, option labels and form sections come from ``registry.view(entity, unit)``:
the list follows the user's unit, a record's page and form follow the record's unit.
"""

from __future__ import annotations

from typing import Any

from leadloom.metadata.registry import Entity, Label
from leadloom.web.labels import current_locale, display, lazy, local_time, unit_label

SYSTEM_LABELS = {
    "owner": Label("负责人", "Owner"), "unit": Label("业务单元", "Business unit"),
    "created_at": Label("创建时间", "Created at"), "updated_at": Label("更新时间", "Updated at"),
}
SYSTEM_SECTION = Label("系统信息", "System")
OTHER_SECTION = Label("其他", "Other")
STAMPS = ("unit", "created_at", "updated_at")
#: what a saved record's form shows of its stamps, read-only
FORM_STAMPS = ("created_at", "updated_at")

Fieldsets = list[tuple[Any, dict[str, list[str]]]]


def owner_column(entity: Entity) -> list[str]:
    return ["owner"] if entity.owned else []


def list_columns(entity: Entity) -> list[str]:
    """The columns an entity's list shows: its ``list: true`` fields (else its first five),
    then the owner; what its export holds unless asked for others."""
    listed = [f.code for f in entity.fields if f.list] or [f.code for f in entity.fields][:5]
    return listed + owner_column(entity)


def fieldsets(view: Entity, hidden: frozenset[str] = frozenset()) -> Fieldsets:
    """Form sections in the view's order; fields without a section go to a last one."""
    sets: Fieldsets = []
    for section in view.sections:
        fields = [f.code for f in view.fields if f.section == section.code
                  and f.code not in hidden]
        if fields:
            sets.append((lazy(section.label), {"fields": fields}))
    rest = [f.code for f in view.fields if not f.section and f.code not in hidden]
    rest += [c for c in owner_column(view) if c not in hidden]
    if rest:
        sets.append((lazy(OTHER_SECTION) if sets else lazy(view.label), {"fields": rest}))
    return sets


def form_fieldsets(view: Entity, hidden: frozenset[str], saved: bool) -> Fieldsets:
    """A form's sections; a saved record's form ends with its creation and update times."""
    sets = fieldsets(view, hidden)
    return [*sets, (lazy(SYSTEM_SECTION), {"fields": list(FORM_STAMPS)})] if saved else sets


def show_fieldsets(view: Entity, hidden: frozenset[str]) -> Fieldsets:
    return [*fieldsets(view, hidden), (lazy(SYSTEM_SECTION), {"fields": list(STAMPS)})]


def columns_in(view: Entity, columns: list[str], hidden: frozenset[str]) -> list[str]:
    """``columns`` that the view has (or are system columns) and the user may see."""
    known = {f.code for f in view.fields} | set(SYSTEM_LABELS)
    return [c for c in columns if c in known and c not in hidden]


def labels(view: Entity) -> dict[str, str]:
    """Column labels of ``view`` in the request's language."""
    locale = current_locale()
    found = {f.code: f.label.get(locale) for f in view.fields}
    found.update({code: label.get(locale) for code, label in SYSTEM_LABELS.items()})
    return found


def formatters(view: Entity) -> dict[str, Any]:
    """How each column's value reads in ``view``: option labels, money, local times."""
    found: dict[str, Any] = {f.code: (lambda value, _f=f: display(_f, value))
                             for f in view.fields}
    found["unit"] = unit_label
    for stamp in ("created_at", "updated_at"):
        found[stamp] = lambda value: local_time(value).strftime("%Y-%m-%d %H:%M") if (
            value) else ""
    return found
