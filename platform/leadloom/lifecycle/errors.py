"""Errors of the config lifecycle."""

from __future__ import annotations


class LifecycleError(Exception):
    """A publish or rollback could not be carried out; nothing changed."""


class NothingToPublish(LifecycleError):
    """The active version already has exactly this config."""


class UnknownVersion(LifecycleError):
    """No version with that number."""
