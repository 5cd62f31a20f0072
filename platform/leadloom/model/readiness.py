"""Config problems that only the live data can reveal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import sqlalchemy as sa

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.loader import locate_field_key
from leadloom.metadata.registry import Field
from leadloom.model.tables import Models


def required_without_default(conn: sa.Connection, models: Models,
                             config_dir: Path) -> list[ConfigError]:
    """Required fields about to be added to tables that already hold rows, with no default.

    Those rows would break the rule the moment the field exists, so the admin must give the
    field a default (or make it optional first and fill it in).
    """
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    errors: list[ConfigError] = []
    for entity in models.registry.entities:
        if entity.table not in existing:
            continue
        columns = {c["name"] for c in inspector.get_columns(entity.table)}
        new_required = [f for f in entity.fields if f.required and f.default is None
                        and f.column is not None and f.column not in columns]
        if not new_required:
            continue
        rows = conn.scalar(sa.select(sa.func.count()).select_from(sa.table(entity.table)))
        for f in new_required if rows else []:
            anchor = locate_field_key(config_dir, entity.code, f.code, "required")
            errors.append(dataclasses.replace(anchor, message=_advice(entity.code, f, rows)))
    return errors


def _advice(entity: str, field: Field, rows: int) -> str:
    """What to change: a default, or, for types that cannot have one, a two-step rollout."""
    if field.type in (FieldType.REFERENCE, FieldType.USER):
        return f"'{entity}' already has {rows} row(s): add it optional, fill it, then require it"
    return f"'{entity}' already has {rows} row(s): give this required field a default"
