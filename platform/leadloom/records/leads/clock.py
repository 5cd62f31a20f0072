"""The lead rules' clock: one function tests can freeze (``monkeypatch.setattr``)."""

from __future__ import annotations

import datetime as dt

from leadloom.model.tables import utcnow


def now() -> dt.datetime:
    """The current time as stored: naive UTC."""
    return utcnow()
