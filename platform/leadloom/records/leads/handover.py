"""Offboarding (离职交接): a leaving user's open leads go to a colleague or back to the pool.

The leads move in batches through the write path (``records.bulk_update``), each checked
as a single owner change is — the actor's scope and rights, the lead rules (a lead given
to the pool becomes 待分配 there, one given to a colleague follows their unit), the
history and the audit trail — so a lead the write path refuses stays with its owner, is
reported with the reason, and never stops the others.
"""

from __future__ import annotations

import sqlalchemy as sa

from leadloom.access import scope_clause
from leadloom.metadata.messages import Message
from leadloom.records.batch_update import CHUNK, BulkUpdateResult, bulk_update
from leadloom.records.errors import RecordInvalid
from leadloom.records.leads.pools import rules_of
from leadloom.records.leads.state import unit_of
from leadloom.records.service import Context


def open_leads_of(ctx: Context, user_id: int) -> list[int]:
    """The open leads ``user_id`` holds that the actor sees, oldest first."""
    lead = ctx.models.cls("lead")
    rules = rules_of(ctx, unit_of(ctx, user_id))
    return list(ctx.session.scalars(sa.select(lead.id).where(
        lead.owner_id == user_id, lead.status.in_(rules.open_statuses),
        scope_clause(ctx.models, ctx.actor, "lead")).order_by(lead.id)))


def hand_over(ctx: Context, user_id: int, to_user: int | None) -> BulkUpdateResult:
    """Give every open lead of ``user_id`` the actor sees to ``to_user`` (None: the pool),
    ``CHUNK`` leads a batch; the outcome of each lead.

    :raises RecordInvalid: ``to_user`` is the leaving user.
    :raises Forbidden: the actor may not change leads at all.
    """
    if to_user == user_id:
        raise RecordInvalid({"owner": [Message("pick someone else to take the leads over")]})
    result = BulkUpdateResult()
    leads = open_leads_of(ctx, user_id)
    for start in range(0, len(leads), CHUNK):
        batch = leads[start:start + CHUNK]
        done = bulk_update(ctx, "lead", {pk: {"owner": to_user} for pk in batch})
        result.outcomes.update(done.outcomes)
    return result
