"""The import tables: one row per import run (with its upload), one per row that did not
go in as asked (refused or skipped, with its reasons), and users' saved column mappings.

leadloom-managed (``ll_`` prefix) like the report archive; ``leadloom.imports`` is the only
code that writes them. The upload lives in the run's row so that a worker on another
machine reads the same bytes the web process received.
"""

from __future__ import annotations

import sqlalchemy as sa

IMPORT_RUN_TABLE = "ll_import_run"
IMPORT_ISSUE_TABLE = "ll_import_issue"
IMPORT_MAPPING_TABLE = "ll_import_mapping"
#: the longest file and mapping name kept
NAME_LENGTH = 200


def add_import_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table, sa.Table]:
    """Declare the import tables on ``metadata`` (a build's own MetaData)."""
    runs = sa.Table(
        IMPORT_RUN_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        #: header -> field code (JSON), and the options (on_duplicate, dry_run, money_unit)
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("user_id", sa.Integer, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("job_id", sa.String(64)),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        #: rows handled so far: whole batches only, so a resumed run starts here
        sa.Column("processed", sa.Integer, nullable=False, server_default="0"),
        #: outcome -> count (created, updated, flagged, skipped, refused)
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
    )
    issues = sa.Table(
        IMPORT_ISSUE_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey(f"{IMPORT_RUN_TABLE}.id",
                                                      ondelete="CASCADE",
                                                      name="fk_ll_import_issue_run"),
                  nullable=False, index=True),
        #: the row's number in the file (the header is row 1)
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer),
        #: the reasons as stored messages (``metadata.catalog.stored``)
        sa.Column("reasons", sa.JSON, nullable=False),
    )
    mappings = sa.Table(
        IMPORT_MAPPING_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("unit", sa.String(32)),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "entity", "name", name="uq_ll_import_mapping_name"),
    )
    return runs, issues, mappings
