"""Columns a hook writes after the row exists, on single and bulk writes alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

if TYPE_CHECKING:
    from leadloom.records.hooks import Change


def write_columns(change: Change, **columns: Any) -> None:
    """Set columns of the just-written row (``lead_no``, ``owner_id``, ``unit`` …) in the
    same transaction, without a new version: for ``after_save`` only.

    Works on the ORM object of a single write and on the plain object of a bulk write.
    """
    record = change.record
    table = change.ctx.models.cls(change.entity.code).__table__
    change.ctx.session.execute(sa.update(table).where(table.c.id == record.id)
                               .values(**columns))
    for name, value in columns.items():
        if hasattr(record, "_sa_instance_state"):
            set_committed_value(record, name, value)
        else:
            setattr(record, name, value)
