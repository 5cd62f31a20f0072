"""SLA compliance: the share of first touches made on time, per owner, for a period.

Counted over the first-touch SLAs that fell due in the period and are decided (met, late
or breached); one not due yet counts nowhere. Reports and dashboards call
``first_touch_compliance`` with their reader's scope on leads, so a rep's copy counts only
the leads that rep may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.model import Models
from leadloom.model.sla_records import SLA_RECORD_TABLE


@dataclass(frozen=True, slots=True)
class Compliance:
    """One owner's first touches due in the period."""

    owner_id: int | None
    on_time: int
    late: int
    #: due, and not made yet
    missed: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def share(self) -> float | None:
        """The on-time share (None: nothing was due)."""
        return self.on_time / self.due if self.due else None


def first_touch_compliance(session: Session, models: Models, start: dt.datetime,
                           end: dt.datetime, scope: sa.ColumnElement[bool] | None = None
                           ) -> list[Compliance]:
    """Each owner's first touches due in ``[start, end)`` (naive UTC), of the leads
    ``scope`` (a clause on the lead table) admits; owners by most due first.

    :param scope: the reader's scope on leads (``access.scope_clause``); None: every lead
    """
    table = models.metadata.tables[SLA_RECORD_TABLE]
    lead = models.cls("lead").__table__

    def count(state: str) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((table.c.state == state, 1), else_=0))

    query = (sa.select(table.c.owner_id, count("met"), count("breached_then_met"),
                       count("breached"))
             .join(lead, lead.c.id == table.c.lead_id)
             .where(table.c.kind == "first_touch", table.c.state != "pending",
                    table.c.due_at >= start, table.c.due_at < end)
             .group_by(table.c.owner_id))
    if scope is not None:
        query = query.where(scope)
    found = [Compliance(owner, int(met or 0), int(late or 0), int(missed or 0))
             for owner, met, late, missed in session.execute(query)]
    return sorted(found, key=lambda c: (-c.due, c.owner_id or 0))
