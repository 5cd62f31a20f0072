"""Records as JSON: what the REST API returns, minus the fields the user may not see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity

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
            data[f.code] = _plain(getattr(record, f.column))
    if entity.owned and "owner" not in hidden:
        data["owner"] = record.owner_id
    data["unit"] = record.unit
    data["version"] = record.version
    data["config_version"] = record.config_version
    data["created_at"] = _plain(record.created_at)
    data["updated_at"] = _plain(record.updated_at)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
