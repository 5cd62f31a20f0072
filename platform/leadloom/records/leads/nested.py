"""Records the rules write on their own, inside the write (or operation) that caused them:
a follow-up's next task, a new lead's first-touch task, the two leads of a merge.

They go through ``records.create``/``update`` like any write — every hook runs — marked
nested (``service.NESTED``), so they only flush and commit with the outer transaction.
They act as the user who caused them, with the rights the rule grants for that one write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from leadloom.records import service
from leadloom.records.service import Context


@contextmanager
def nested(ctx: Context) -> Iterator[Context]:
    """``ctx`` as a nested write's: the system actor, and its writes only flush."""
    info = ctx.session.info
    depth = info.get(service.NESTED, 0)
    info[service.NESTED] = depth + 1
    try:
        yield Context(dataclasses.replace(ctx.actor, system=True), ctx.session, ctx.models,
                      channel=ctx.channel, meta=dict(ctx.meta))
    finally:
        info[service.NESTED] = depth


def nested_create(ctx: Context, entity_code: str, values: dict[str, Any], *,
                  owner_id: int | None) -> Any:
    """Create a record of ``entity_code`` owned by ``owner_id``, without committing.

    :raises RecordInvalid: the record was refused (the caller's whole write fails).
    """
    with nested(ctx) as inner:
        return service.create(inner, entity_code, {**values, "owner": owner_id})


def nested_bulk_create(ctx: Context, entity_code: str, rows: list[dict[str, Any]]
                       ) -> list[int]:
    """Create many records (each row names its ``owner``) in one bulk write, without
    committing: the batch mode of ``nested_create``.

    :raises RecordInvalid: a row was refused (the caller's whole write fails).
    """
    from leadloom.records.bulk import bulk_create  # bulk builds on this module's callers

    with nested(ctx) as inner:
        return bulk_create(inner, entity_code, rows)


def nested_bulk_update(ctx: Context, entity_code: str,
                       changes: dict[int, dict[str, Any]]) -> list[int]:
    """Change many records in one batch write (``records.bulk_update``) without
    committing; returns the ids updated.

    :raises Conflict: a record changed meanwhile (the caller's whole write fails).
    """
    from leadloom.records.batch_update import bulk_update  # builds on this module's callers

    with nested(ctx) as inner:
        return bulk_update(inner, entity_code, changes).updated


def nested_delete(ctx: Context, entity_code: str, pk: int) -> None:
    """Delete record ``pk`` without committing (a lead's rule-made tasks go with it)."""
    with nested(ctx) as inner:
        service.delete(inner, entity_code, pk)


def nested_update(ctx: Context, entity_code: str, pk: int, values: dict[str, Any]) -> Any:
    """Change ``values`` of record ``pk`` without committing (a merge changes two leads).

    :raises RecordInvalid: the change was refused (the caller rolls back).
    """
    with nested(ctx) as inner:
        return service.update(inner, entity_code, pk, values)
