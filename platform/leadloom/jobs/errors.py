"""What the job layer can refuse."""

from __future__ import annotations


class JobError(RuntimeError):
    """A job cannot be queued or looked up as asked."""


class NoRedis(JobError):
    """A command that needs a real Redis (``LEADLOOM_REDIS_URL``) ran without one."""
