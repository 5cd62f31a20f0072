"""Records as JSON: what the REST API returns, minus the fields the user may not see.

Times are stored as naive UTC; every answer gives them in the app's time zone with their
offset (``2024-03-20T10:00:00+08:00``), so a client never has to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.web.labels import local_time

SYSTEM_FIELDS = ("owner", "unit", "version", "created_at", "updated_at")
#: a record's JSON after its fields: (key, column)
_TRAILER = (("unit", "unit"), ("version", "version"), ("config_version", "config_version"),
            ("created_at", "created_at"), ("updated_at", "updated_at"))

#: (key, column) pairs of a record's JSON in order; column None: a tags field
Shape = tuple[tuple[str, str | None], ...]


def record_shape(entity: Entity, hidden: frozenset[str]) -> Shape:
    """Which keys a record of ``entity`` shows a reader who may not see ``hidden``, and the
    column each comes from: worked out once, so a list page does not redo it per row."""
    pairs: list[tuple[str, str | None]] = [("id", "id")]
    pairs += [(f.code, None if f.type is FieldType.TAGS else f.column)
              for f in entity.fields if f.code not in hidden]
    if entity.owned and "owner" not in hidden:
        pairs.append(("owner", "owner_id"))
    return (*pairs, *_TRAILER)


def record_json(entity: Entity, record: Any, hidden: frozenset[str]) -> dict[str, Any]:
    """One record as JSON-ready data: references as ids, tags as ``{id, name}``."""
    return {key: tag_json(getattr(record, key)) if column is None
            else plain(getattr(record, column))
            for key, column in record_shape(entity, hidden)}


def tag_json(tags: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name} for t in tags]


def plain(value: Any) -> Any:
    """A stored value as JSON: money and decimals as exact strings, times with offsets."""
    convert = _PLAIN.get(type(value))
    return value if convert is None else convert(value)


_PLAIN: dict[type, Callable[[Any], Any]] = {
    Decimal: str,
    dt.datetime: lambda value: local_time(value).isoformat(),
    dt.date: dt.date.isoformat,
}


def local_iso(text: str | None) -> str | None:
    """A naive-UTC ISO time (as lower layers write them) in the app's zone, with offset."""
    if not text:
        return text
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:  # not a time after all: leave it as it was stored
        return text
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return local_time(value).isoformat()


def with_offsets(data: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """``data`` with the times under ``keys`` given in the app's zone (see ``local_iso``)."""
    for key in keys:
        if isinstance(data.get(key), str):
            data[key] = local_iso(data[key])
    return data


def datetime_values(entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
    """Stored JSON values of ``entity``'s fields (approvals, audit) with datetime fields
    given in the app's zone."""
    keys = [k for k in values if entity.has_field(k)
            and entity.field(k).type is FieldType.DATETIME]
    return with_offsets(dict(values), keys)
