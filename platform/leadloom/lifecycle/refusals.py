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
    errors: dict[str, ConfigError] = {}
    # one line per config path; a type change says more than the constraint it drops
    for step in sorted(plan.refused, key=lambda s: s.field is None):
        error = _error(files, registry, step)
        errors.setdefault(f"{error.file}:{error.path}" if ".fields." in error.path
                          else str(error), error)
    return PublishRefused(plan, sorted(errors.values(),
                                       key=lambda e: (str(e.file), e.line or 0, e.path)))


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
    column = step.column or next(iter(getattr(step.op, "columns", None) or []), "") or (
        _foreign_key_column(step))
    for entity in registry.entities:
        if entity.table == table:
            field = next((f for f in entity.fields if column and column in (
                f.column, f"{f.code}_id")), None)  # a link's column, though no more a link
            return entity.code, field.code if field else None
    return None, None


def _foreign_key_column(step: Step) -> str:
    """``fk_lead_account_id`` (the name ``model.columns`` gives a link) → ``account_id``."""
    name = str(getattr(step.op, "constraint_name", None) or "")
    prefix = f"fk_{step.table}_"
    return name[len(prefix):] if name.startswith(prefix) else ""


def _what(step: Step) -> tuple[str, str]:
    """The key to change and what to do, from the step's own reason."""
    if step.previous is not None and step.field is not None:
        return "type", f"{step.previous.type} → {step.field.type}: {step.reason}"
    op = step.op
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return "unique", "'unique' cannot be added to a field that exists yet: remove it"
    if isinstance(op, ops.DropConstraintOp) and _foreign_key_column(step):
        return "type", "a link cannot be removed from a field: add a new field instead"
    old, new = getattr(op, "existing_type", None), getattr(op, "modify_type", None)
    if isinstance(old, sa.String) and isinstance(new, sa.String) and new.length:
        return "length", f"{step.reason}: keep a length they all fit in"
    if old is not None and new is not None:
        return "type", f"{old} → {new}: {step.reason}"
    return "type", f"{step.line().split(maxsplit=1)[-1]}"
