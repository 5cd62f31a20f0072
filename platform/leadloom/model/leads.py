"""Tables of the lead life cycle: counters, lead history, duplicate keys, recompute runs.

leadloom-managed (``ll_`` prefix); only ``records.leads`` writes them.
"""

from __future__ import annotations

import sqlalchemy as sa

COUNTER_TABLE = "ll_counter"
LEAD_EVENT_TABLE = "ll_lead_event"
DEDUPE_KEY_TABLE = "ll_dedupe_key"
RECOMPUTE_TABLE = "ll_recompute_run"


def add_lead_tables(metadata: sa.MetaData) -> None:
    """Declare the lead life-cycle tables on ``metadata`` (a build's own MetaData)."""
    sa.Table(
        COUNTER_TABLE, metadata,
        #: e.g. ``lead_no:WEB-20240315-`` (gapless per prefix) or ``rr:east:key_accounts``
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    sa.Table(
        LEAD_EVENT_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, nullable=False, index=True),
        #: grade, value, assigned, claimed, released, reclaimed, screened, merged, ...
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.Integer),
        #: the user the event is about (new or previous owner), if any
        sa.Column("user_id", sa.Integer, index=True),
        sa.Column("old", sa.String(64)),
        sa.Column("new", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("detail", sa.JSON),
        sa.Index("ix_ll_lead_event_kind_at", "kind", "at"),
    )
    sa.Table(
        DEDUPE_KEY_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.Integer, nullable=False, index=True),
        #: phone, email, company, credit_code
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        #: fuzzy company matching compares names within one block (the 字号's start)
        sa.Column("block", sa.String(32)),
        sa.Index("ix_ll_dedupe_key_kind_key", "kind", "key"),
        #: a block's company cores in id order, keys in the index: 查重 reads the first
        #: ``MOST_ROWS`` of each block it compares with (``records.leads.duplicates``)
        #: from the index alone, without a sort (EXPLAIN at 10k demo leads, 600 blocks:
        #: bitmap heap scan + sort 32 ms -> index-only scan 16 ms, 339 -> 84 buffers)
        sa.Index("ix_ll_dedupe_key_kind_block_record_id", "kind", "block", "record_id",
                 postgresql_include=["key"]),
    )
    sa.Table(
        RECOMPUTE_TABLE, metadata,
        #: the config version whose rules the open leads were (or are being) brought to
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        #: ``LeadRulesSet.fingerprint`` of that version
        sa.Column("fingerprint", sa.String(64), nullable=False),
        #: running, done, unchanged (same rules as the run before), superseded
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        #: the last batch's time and process (who holds it, for the page)
        sa.Column("beat_at", sa.DateTime),
        sa.Column("worker", sa.String(64)),
        #: open leads when the run began (for the progress), and the cursor: the batches
        #: done cover every open lead with an id up to ``last_id``
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("checked", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("due_changed", sa.Integer, nullable=False),
        sa.Column("grade_changed", sa.Integer, nullable=False),
        #: owner id → [leads changed, deadlines changed, grades changed]: one message each
        sa.Column("owners", sa.JSON, nullable=False),
    )
