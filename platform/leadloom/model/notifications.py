"""The in-app notification inbox: one row per message to one user.

leadloom-managed (``ll_`` prefix) like the organisation table; ``records.notify`` is the only
code that writes it (in the caller's transaction), the web inbox marks rows read.
"""

from __future__ import annotations

import sqlalchemy as sa

NOTIFICATION_TABLE = "ll_notification"


def add_notification_table(metadata: sa.MetaData) -> sa.Table:
    """Declare ``ll_notification`` on ``metadata`` (a build's own MetaData)."""
    return sa.Table(
        NOTIFICATION_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        #: assignment, sla_warning, sla_breach, reclaim_warning, reclaimed, duplicate, stale,
        #: task_due, digest, grade ... (free text, for filtering and icons)
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("link", sa.String(255)),
        #: once-only messages (a warning per lead and deadline): a second notify is a no-op
        sa.Column("key", sa.String(200), unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime),
        #: the message as msgid and parameters, shown in each reader's language
        sa.Column("body", sa.JSON),
        #: a line of a batched notice (one per lead): shown inside that notice only
        sa.Column("parent_id", sa.Integer, index=True),
        #: made in quiet hours: in the inbox from this time on (NULL: at once)
        sa.Column("held_until", sa.DateTime),
        sa.Index("ix_ll_notification_user_unread", "user_id", "read_at"),
    )
