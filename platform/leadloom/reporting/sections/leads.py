"""What the lead sections share: status codes, the expected amount, reference labels.

The codes are those of the default config's ``lead_status`` option set; a config without
them still renders, its counts simply fall into other rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.reporting.context import SectionContext

OPEN = ("new", "unassigned", "assigned", "contacting", "nurturing", "converted")
#: being worked on (nurturing is a long-term pool, not stalled)
WORKING = ("assigned", "contacting", "converted")
WON = "won"
LOST = "lost"
INVALID = "invalid"
CONFIRMED = "confirmed"
#: follow-up feedback that means the customer did not answer (M-01's non-responses)
NO_RESPONSE = ("no_answer",)


def expected_amount(ctx: SectionContext) -> sa.ColumnElement[Any] | None:
    """The midpoint of a lead's budget range, or None if the recipient may not see it."""
    if not (ctx.visible("lead", "budget_min") and ctx.visible("lead", "budget_max")):
        return None
    lead = ctx.models.cls("lead")
    low = sa.func.coalesce(lead.budget_min, lead.budget_max)
    high = sa.func.coalesce(lead.budget_max, lead.budget_min)
    return (low + high) / 2


def last_activity(ctx: SectionContext) -> sa.ColumnElement[Any]:
    """When a lead was last worked: its last follow-up, else its creation."""
    lead = ctx.models.cls("lead")
    if ctx.has("lead", "last_followup_at"):
        return sa.func.coalesce(lead.last_followup_at, lead.created_at)
    created: sa.ColumnElement[Any] = lead.created_at
    return created


def titles(ctx: SectionContext, entity: str, ids: set[Any]) -> dict[Any, str]:
    """Title-field values of the ``entity`` rows in ``ids`` the recipient may see."""
    wanted = {i for i in ids if i is not None}
    if not wanted or not ctx.has(entity):
        return {}
    cls = ctx.models.cls(entity)
    title = getattr(cls, ctx.registry.entity(entity).title_field)
    rows = ctx.session.execute(sa.select(cls.id, title).where(cls.id.in_(wanted),
                                                                  ctx.rows_of(entity)))
    return {pk: str(value) for pk, value in rows}


def money(value: Any) -> float:
    return float(value or 0)
