"""The lead rules' clock: one function tests can freeze (``monkeypatch.setattr``).

A process can also be started on another time with ``LEADLOOM_CLOCK`` (tests and demos
only): ``START[,SPEED[,REAL]]``, ISO times with an offset. The clock reads START at the
real time REAL (default: when it is first read) and runs SPEED times as fast (default 1),
so several processes given the same value share one timeline, e.g. two web processes
crossing a schedule slot a minute per second.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time

from leadloom.model.tables import utcnow

CLOCK_ENV = "LEADLOOM_CLOCK"


@functools.cache
def _override(text: str) -> tuple[float, float, float]:
    """(start, speed, real start) as POSIX seconds, from ``LEADLOOM_CLOCK``."""
    parts = [p.strip() for p in text.split(",")]
    try:
        start = dt.datetime.fromisoformat(parts[0]).timestamp()
        speed = float(parts[1]) if len(parts) > 1 and parts[1] else 1.0
        real = dt.datetime.fromisoformat(parts[2]).timestamp() if len(parts) > 2 else time.time()
    except ValueError:
        raise ValueError(f"{CLOCK_ENV}={text!r}: use START[,SPEED[,REAL]], e.g. "
                         "2026-01-05T08:29:00+08:00,60") from None
    return start, speed, real


def now() -> dt.datetime:
    """The current time as stored: naive UTC (``LEADLOOM_CLOCK``'s, when it is set)."""
    text = os.environ.get(CLOCK_ENV)
    if not text:
        return utcnow()
    start, speed, real = _override(text)
    moment = start + (time.time() - real) * speed
    return dt.datetime.fromtimestamp(moment, dt.UTC).replace(tzinfo=None)
