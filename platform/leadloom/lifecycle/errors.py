"""Errors of the config lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadloom.model import DestructiveChange

if TYPE_CHECKING:
    from leadloom.metadata import ConfigError
    from leadloom.model import Plan


class LifecycleError(Exception):
    """A publish or rollback could not be carried out; nothing changed."""


class NothingToPublish(LifecycleError):
    """The active version already has exactly this config."""


class UnknownVersion(LifecycleError):
    """No version with that number."""


class PublishRefused(DestructiveChange):
    """The schema change would lose data: each refused step as a config error at the line
    to change (still a ``DestructiveChange`` for callers that catch that)."""

    def __init__(self, plan: Plan, errors: list[ConfigError]) -> None:
        super().__init__(plan)
        self.errors = errors
        self.args = ("\n".join(str(e) for e in errors),)
