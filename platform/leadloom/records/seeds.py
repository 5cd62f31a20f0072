"""Rows the config declares (``seed:``): created once, through the write path."""

from __future__ import annotations

import sqlalchemy as sa

from leadloom.records.service import Context, create


def ensure_seed_rows(ctx: Context) -> int:
    """Create every declared seed row that is missing; return how many were created."""
    created = 0
    for entity in ctx.registry.entities:
        cls = ctx.models.cls(entity.code)
        for row in entity.seed:
            values = dict(row.values)
            column = getattr(cls, entity.field(row.by).column)
            exists = sa.select(cls.id).where(column == values[row.by])
            if ctx.session.scalar(exists) is None:
                create(ctx, entity.code, values)
                created += 1
    return created
