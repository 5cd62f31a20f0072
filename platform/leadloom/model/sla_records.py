"""The service-level records of leads: one row per first-touch or cadence SLA a lead was
given, with its state and times.

A breach used to exist only as inbox messages; these rows let the record page show where
a lead stands, a list filter on it, and reports count on-time first touches per owner.
leadloom-managed (``ll_`` prefix); only ``records.leads.sla_records`` writes them.
"""

from __future__ import annotations

import sqlalchemy as sa

SLA_RECORD_TABLE = "ll_sla_record"
#: the SLA kinds: the first contact after an assignment, the next follow-up by the cadence
SLA_KINDS = ("first_touch", "cadence")
#: the states: not due yet; done in time; due and not done; done after the deadline
SLA_STATES = ("pending", "met", "breached", "breached_then_met")


def add_sla_table(metadata: sa.MetaData) -> sa.Table:
    """Declare ``ll_sla_record`` on ``metadata`` (a build's own MetaData)."""
    return sa.Table(
        SLA_RECORD_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, nullable=False),
        #: ``SLA_KINDS``
        sa.Column("kind", sa.String(16), nullable=False),
        #: ``SLA_STATES``
        sa.Column("state", sa.String(24), nullable=False),
        #: whose SLA it is (the lead's owner while it ran), and the lead's unit and grade
        sa.Column("owner_id", sa.Integer),
        sa.Column("unit", sa.String(32)),
        sa.Column("grade", sa.String(16)),
        #: naive UTC: the assignment (first touch) or the follow-up (cadence) it runs from
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        #: the follow-up that ended it
        sa.Column("met_at", sa.DateTime),
        #: when it went past due (its deadline), once it has
        sa.Column("breached_at", sa.DateTime),
        #: how late the follow-up that ended it came, in whole minutes (rounded up)
        sa.Column("late_minutes", sa.Integer),
        sa.UniqueConstraint("lead_id", "kind", "started_at", name="uq_ll_sla_record_start"),
        sa.Index("ix_ll_sla_record_state_due", "state", "due_at"),
        sa.Index("ix_ll_sla_record_kind_due", "kind", "due_at"),
    )
