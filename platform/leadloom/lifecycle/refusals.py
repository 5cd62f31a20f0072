"""Refused schema steps as config errors: each at the line of the config to change.

``publish`` and ``check`` print the same ``file:line: path: message`` lines for a plan
that would lose data, so what ``check`` says is what ``publish`` would refuse.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import ops

from leadloom.lifecycle.errors import PublishRefused
from leadloom.metadata import ConfigError, Registry
from leadloom.metadata.files import ConfigFiles
from leadloom.metadata.loader import locate_field_key
from leadloom.model import Plan, Step


def located(files: ConfigFiles, registry: Registry, plan: Plan) -> PublishRefused:
    """The refusal of ``plan``, its steps placed in ``files``."""
    errors = [_error(files, registry, step) for step in plan.refused]
    return PublishRefused(plan, sorted(errors, key=lambda e: (str(e.file), e.line or 0)))


def _error(files: ConfigFiles, registry: Registry, step: Step) -> ConfigError:
    entity, field = _owner(registry, step)
    key, message = _what(step)
    if entity is None:
        return ConfigError(Path("entities"), None, step.table, message)
    anchor = locate_field_key(files, entity, field or "", key)
    return dataclasses.replace(anchor, message=message)


def _owner(registry: Registry, step: Step) -> tuple[str | None, str | None]:
    """The entity and field whose column a step changes (a link table belongs to its
    entity: ``lead__need_tags``)."""
    if step.field is not None:
        entity = next((e for e in registry.entities if e.table == step.table), None)
        return (entity.code if entity else None), step.field.code
    table = step.table.partition("__")[0]
    column = step.column or next(iter(getattr(step.op, "columns", None) or []), "")
    for entity in registry.entities:
        if entity.table == table:
            field = next((f for f in entity.fields if column and f.column == column), None)
            return entity.code, field.code if field else None
    return None, None


def _what(step: Step) -> tuple[str, str]:
    """The key to change and what to do, from the step's own reason."""
    if step.previous is not None and step.field is not None:
        return "type", f"{step.previous.type} → {step.field.type}: {step.reason}"
    op = step.op
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return "unique", "'unique' cannot be added to a field that exists yet: remove it"
    old, new = getattr(op, "existing_type", None), getattr(op, "modify_type", None)
    if isinstance(old, sa.String) and isinstance(new, sa.String) and new.length:
        return "length", f"{step.reason}: keep a length they all fit in"
    if old is not None and new is not None:
        return "type", f"{old} → {new}: {step.reason}"
    return "type", f"{step.line().split(maxsplit=1)[-1]}"
