"""What a list page shows around its rows: sortable heads, rows that turn into cards on a
phone (title first, a few key fields, the owner, a tel: link), paging with the total, the
shared views of config and the reader's saved views as quick filters.

Sort and paging keep Flask-AppBuilder's arguments (``_oc_<View>``, ``_od_<View>``,
``page_<View>``, ``psize_<View>``), so earlier links keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request

from leadloom.access.people import display_name
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.records.saved_views import saved_views
from leadloom.web.actor import request_context
from leadloom.web.labels import current_locale
from leadloom.web.list_views import chosen_view

#: the page sizes offered; an address may ask for any size up to ``MOST_ROWS``
SIZES = (25, 50, 100)
MOST_ROWS = 500
#: the fields a card shows under its title (besides the owner and the phone)
CARD_FIELDS = 3


@dataclass(frozen=True, slots=True)
class Head:
    code: str
    label: str
    url: str | None
    direction: str


@dataclass(frozen=True, slots=True)
class Chip:
    label: str
    url: str
    active: bool
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    title: str
    #: (column, text, kept on a phone's card)
    cells: list[tuple[str, str, bool]]
    phone: str


def address(**changes: str | None) -> str:
    """This list's address with ``changes`` to its arguments (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = [value]
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def kept_query(view_name: str) -> str:
    """The address's query without paging: what a saved view keeps."""
    return urlencode([(k, v) for k, v in request.args.items(multi=True)
                      if k != f"page_{view_name}"])


def heads(view_name: str, columns: list[str], labels: dict[str, str], sortable: list[str],
          order: tuple[str, str]) -> list[Head]:
    """Column heads; a sortable one links to its order, flipping it when already sorted."""
    found = []
    for code in columns:
        direction = order[1] if order[0] == code else ""
        url = address(**{f"_oc_{view_name}": code, f"page_{view_name}": None,
                         f"_od_{view_name}": "desc" if direction == "asc" else "asc"}
                      ) if code in sortable else None
        found.append(Head(code, labels.get(code, code), url, direction))
    return found


def rows(view: Entity, items: list[Any], values: list[dict[str, Any]], columns: list[str],
         formatters: dict[str, Any], hidden: frozenset[str], sorted_by: str = "") -> list[Row]:
    """Each record's cells as text; ``key`` cells stay on a phone's card (the column the
    list is sorted by too, so a sorted phone list shows what it is sorted by)."""
    title = view.title_field
    others = [c for c in columns if c != title and c != "owner"]
    keys = {title, "owner", sorted_by, *others[:CARD_FIELDS]}
    phone = next((f for f in view.fields if f.type is FieldType.PHONE
                  and f.code not in hidden), None)
    found = []
    for item, value in zip(items, values, strict=True):
        cells = [(code, _text(code, value.get(code), formatters), code in keys)
                 for code in columns]
        found.append(Row(item.id, str(getattr(item, title, None) or f"#{item.id}"),
                         cells, str(getattr(item, phone.code, None) or "") if phone else ""))
    return found


def _text(code: str, value: Any, formatters: dict[str, Any]) -> str:
    if code == "owner" and value is not None and hasattr(value, "username"):
        return display_name(value.first_name, value.last_name, value.username)
    if code in formatters:
        return str(formatters[code](value))
    return "" if value is None else str(value)


def shared_chips(entity: Entity) -> list[Chip]:
    """Config's shared views of ``entity`` as quick filters, the chosen one marked."""
    chosen = chosen_view(entity)
    locale = current_locale()
    return [Chip(v.label.get(locale), f"{request.path}?{urlencode({'view': v.code})}",
                 chosen is not None and chosen.code == v.code) for v in entity.views]


def saved_chips(entity: Entity, view_name: str) -> list[Chip]:
    """The reader's own saved views of ``entity``; the one this address is, marked."""
    here = kept_query(view_name)
    return [Chip(s.name, f"{request.path}?{s.query}" if s.query else request.path,
                 s.query == here, s.id)
            for s in saved_views(request_context("ui"), entity.code)]


def page_size(asked: int | None, default: int) -> int:
    return min(max(asked or default, 1), MOST_ROWS)
