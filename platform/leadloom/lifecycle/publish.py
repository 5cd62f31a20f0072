"""Publishing: validate a whole config, change the schema, store the version — atomically.

Everything happens in one transaction under the schema lock: an invalid config applies
nothing, a refused schema step applies nothing, and a crash part-way leaves the previous
version active and the schema as it was (PostgreSQL and SQLite both roll DDL back).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from leadloom.lifecycle import store
from leadloom.lifecycle.errors import NothingToPublish, PublishRefused, UnknownVersion
from leadloom.lifecycle.refusals import located
from leadloom.metadata import ConfigError, ConfigInvalid, Registry, load_registry
from leadloom.metadata.files import ConfigFiles, read_folder
from leadloom.metadata.messages import Message
from leadloom.model import (
    DestructiveChange,
    Outcome,
    atomic,
    build_models,
    lock_schema,
    migrate_on,
    security_tables,
)


@dataclass(frozen=True, slots=True)
class Published:
    """The outcome of a publish: the new version (None on a dry run) and the schema work."""

    version: int | None
    outcome: Outcome
    registry: Registry

    def lines(self) -> list[str]:
        return self.outcome.lines()

#: the author and message of the version the platform publishes by itself at first start
SYSTEM_AUTHOR = "system"
FIRST_VERSION = Message("first version")


def publish(engine: sa.Engine, files: ConfigFiles, *, author: str, message: str,
            dry_run: bool = False, allow_destructive: bool = False) -> Published:
    """Make ``files`` the active config.

    :raises ConfigInvalid: the config has errors; nothing is applied.
    :raises PublishRefused: a schema step would lose data (each refused step at its line in
        the config); nothing is applied.
    :raises NothingToPublish: the active version already has exactly these files.
    """
    registry = load_registry(files)
    with atomic(engine) as conn:
        lock_schema(conn)
        previous = store.get_version(conn)
        if previous and previous.files.texts == files.texts and not allow_destructive:
            raise NothingToPublish(f"version {previous.number} already has this config")
        number = previous.number + 1 if previous else 1
        registry = dataclasses.replace(registry, version=number)
        models = build_models(registry)
        if not dry_run:
            security_tables().create_all(conn, checkfirst=True)
            store.ensure_table(conn)
        try:
            outcome = migrate_on(conn, models, previous=_registry_of(previous),
                                 dry_run=dry_run, allow_destructive=allow_destructive)
        except DestructiveChange as refused:
            raise located(files, registry, refused.plan) from refused
        if dry_run:
            return Published(None, outcome, registry)
        store.add(conn, number, files, previous, author=author, message=message,
                  report="\n".join(outcome.lines()))
    return Published(number, outcome, registry)


def plan_problems(engine: sa.Engine, files: ConfigFiles) -> list[ConfigError]:
    """What publishing ``files`` now would refuse, from a dry run against the active version
    and the stored data (what ``check`` reports); nothing changes.

    :raises ConfigInvalid: the config itself has errors.
    """
    try:
        publish(engine, files, author="check", message="check", dry_run=True)
    except NothingToPublish:
        return []
    except PublishRefused as refused:
        return refused.errors
    return []


def rollback(engine: sa.Engine, number: int, *, author: str) -> Published:
    """Publish the content of version ``number`` as a new version.

    :raises UnknownVersion: there is no such version.
    """
    with engine.connect() as conn:
        version = store.get_version(conn, number)
    if version is None:
        raise UnknownVersion(f"there is no version {number}")
    return publish(engine, version.files, author=author,
                   message=f"rollback to version {number}")


def active_registry(engine: sa.Engine, config_dir: Path, *, upgrade: bool = True) -> Registry:
    """The registry every process runs: the active version, publishing ``config_dir`` as
    version 1 when the database has none yet. With ``upgrade`` (at start-up), additive
    code-level changes (new system tables) are applied on the way; a live swap to a version
    that was just published skips that, since publishing already brought the schema up.

    :raises ConfigInvalid: the first config is invalid.
    :raises DestructiveChange: the active version no longer fits the database.
    """
    with engine.connect() as conn:
        version = store.get_version(conn)
    if version is None:
        try:
            return publish(engine, read_folder(config_dir), author=SYSTEM_AUTHOR,
                           message=FIRST_VERSION).registry
        except NothingToPublish:  # another process published it meanwhile
            return active_registry(engine, config_dir, upgrade=upgrade)
    registry = dataclasses.replace(load_registry(version.files), version=version.number)
    if not upgrade:
        return registry
    with atomic(engine) as conn:
        lock_schema(conn)
        security_tables().create_all(conn, checkfirst=True)
        migrate_on(conn, build_models(registry), previous=registry)
    return registry


def _registry_of(version: store.Version | None) -> Registry | None:
    """The registry a stored version describes, if today's code still reads it."""
    if version is None:
        return None
    try:
        return load_registry(version.files)
    except ConfigInvalid:
        return None
