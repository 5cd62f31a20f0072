"""The report archive's tables: one row per rendered PDF, one per e-mail delivery.

leadloom-managed (``ll_`` prefix) like the organisation table, so ``migrate`` creates them
with the entity tables. ``leadloom.reporting.archive`` is the only code that writes them.
"""

from __future__ import annotations

import sqlalchemy as sa

REPORT_FILE_TABLE = "ll_report_file"
REPORT_DELIVERY_TABLE = "ll_report_delivery"


def add_report_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """Declare the archive tables on ``metadata`` (a build's own MetaData)."""
    files = sa.Table(
        REPORT_FILE_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report", sa.String(64), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("recipient_id", sa.Integer, index=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        #: one PDF per (job or schedule slot, recipient): a retried job finds its own row
        sa.Column("run_key", sa.String(160), nullable=False, unique=True),
        sa.Column("job_id", sa.String(64)),
        sa.Column("requested_by_id", sa.Integer),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("render_ms", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )
    deliveries = sa.Table(
        REPORT_DELIVERY_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey(f"{REPORT_FILE_TABLE}.id",
                                                       ondelete="CASCADE",
                                                       name="fk_ll_report_delivery_file"),
                  nullable=False, index=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    return files, deliveries
