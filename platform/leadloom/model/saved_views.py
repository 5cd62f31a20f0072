"""Saved list views: a user's own named filters and sort of an entity's list.

leadloom-managed (``ll_`` prefix) like the inbox; ``records.saved_views`` writes it, and
only ever the rows of the user who asks.
"""

from __future__ import annotations

import sqlalchemy as sa

SAVED_VIEW_TABLE = "ll_saved_view"
#: the longest name and address text a saved view keeps
NAME_LENGTH = 64
QUERY_LENGTH = 2000


def add_saved_view_table(metadata: sa.MetaData) -> sa.Table:
    """Declare ``ll_saved_view`` on ``metadata`` (a build's own MetaData)."""
    return sa.Table(
        SAVED_VIEW_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        #: the list's address query (filters by field code, view, sort), as it was saved
        sa.Column("query", sa.String(QUERY_LENGTH), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "entity", "name", name="uq_ll_saved_view_name"),
    )
