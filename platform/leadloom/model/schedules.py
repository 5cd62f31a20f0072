"""The schedule slots: one row per (rule, slot) a scheduler claimed, with how the run went.

leadloom-managed (``ll_`` prefix) like the inbox, so ``migrate`` creates it with the entity
tables. The unique (rule, slot) pair is what makes a slot run once however many web
processes or schedulers race for it: the one whose insert succeeds runs it.
``leadloom.jobs.slots`` is the only code that writes it.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEDULE_RUN_TABLE = "ll_schedule_run"


def add_schedule_table(metadata: sa.MetaData) -> sa.Table:
    """Declare ``ll_schedule_run`` on ``metadata`` (a build's own MetaData)."""
    return sa.Table(
        SCHEDULE_RUN_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        #: leads.<job> (config/leads.yaml ``schedule:``) or report.<name>
        sa.Column("rule", sa.String(100), nullable=False),
        #: the cron time the run is for, naive UTC
        sa.Column("slot", sa.DateTime, nullable=False),
        #: queued, done, failed; skipped: the slot before the rule was first seen
        sa.Column("outcome", sa.String(16), nullable=False),
        #: the job's count or error, shortened
        sa.Column("detail", sa.String(300)),
        #: host:pid of the process that claimed it
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.UniqueConstraint("rule", "slot", name="uq_ll_schedule_run_slot"),
    )
