"""Rows the config declares (``seed:``): created once, through the write path."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.records.errors import Conflict, RecordInvalid
from leadloom.records.service import Context, create


def ensure_seed_rows(ctx: Context) -> int:
    """Create every declared seed row that is missing; return how many were created.

    Each row is committed on its own: processes starting together on one database race to
    seed it, and the loser of a row finds it there instead of failing its start-up."""
    created = 0
    for entity in ctx.registry.entities:
        cls = ctx.models.cls(entity.code)
        for row in entity.seed:
            values = dict(row.values)
            exists = sa.select(cls.id).where(
                getattr(cls, entity.field(row.by).column) == values[row.by])
            if _present(ctx, exists):
                continue
            try:
                create(ctx, entity.code, values)
                ctx.session.commit()
            except (RecordInvalid, Conflict, sa.exc.IntegrityError):
                ctx.session.rollback()
                if not _present(ctx, exists):
                    raise
                continue
            created += 1
    return created


def _present(ctx: Context, exists: sa.Select[Any]) -> bool:
    return ctx.session.scalar(exists) is not None
