"""Records as JSON: what the REST API returns, minus the fields the user may not see.

Times are stored as naive UTC; every answer gives them in the app's time zone with their
offset (``2024-03-20T10:00:00+08:00``), so a client never has to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.web.labels import local_time

SYSTEM_FIELDS = ("owner", "unit", "version", "created_at", "updated_at")


def record_json(entity: Entity, record: Any, hidden: frozenset[str]) -> dict[str, Any]:
    """One record as JSON-ready data: references as ids, tags as ``{id, name}``."""
    data: dict[str, Any] = {"id": record.id}
    for f in entity.fields:
        if f.code in hidden:
            continue
        if f.type is FieldType.TAGS:
            data[f.code] = [{"id": t.id, "name": t.name} for t in getattr(record, f.code)]
        else:
            data[f.code] = plain(getattr(record, f.column))
    if entity.owned and "owner" not in hidden:
        data["owner"] = record.owner_id
    data["unit"] = record.unit
    data["version"] = record.version
    data["config_version"] = record.config_version
    data["created_at"] = plain(record.created_at)
    data["updated_at"] = plain(record.updated_at)
    return data


def plain(value: Any) -> Any:
    """A stored value as JSON: money and decimals as exact strings, times with offsets."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return local_time(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
