"""Published config versions, kept in the database so every process runs the same one.

One row per version: the full snapshot of the config files, the diff against the version
before, who published it, when, why, and what the schema change did. The newest row is the
active version; a rollback is a new version with an old snapshot.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadloom.metadata.files import ConfigFiles

VERSIONS = sa.MetaData()
VERSION_TABLE = sa.Table(
    "ll_config_version", VERSIONS,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("files", sa.JSON, nullable=False),
    sa.Column("diff", sa.Text, nullable=False),
    sa.Column("report", sa.Text, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    created_at: dt.datetime
    author: str
    message: str
    files: ConfigFiles
    diff: str
    report: str


def ensure_table(conn: sa.Connection) -> None:
    VERSIONS.create_all(conn, checkfirst=True)


def _exists(conn: sa.Connection) -> bool:
    return sa.inspect(conn).has_table(VERSION_TABLE.name)


def latest_number(conn: sa.Connection) -> int | None:
    """The active version's number: a cheap query every process may run often."""
    if not _exists(conn):
        return None
    return conn.scalar(sa.select(sa.func.max(VERSION_TABLE.c.id)))


def get_version(conn: sa.Connection, number: int | None = None) -> Version | None:
    """Version ``number``, or the active one."""
    if not _exists(conn):
        return None
    query = sa.select(VERSION_TABLE)
    query = (query.where(VERSION_TABLE.c.id == number) if number is not None
             else query.order_by(VERSION_TABLE.c.id.desc()).limit(1))
    row = conn.execute(query).first()
    return _version(row) if row else None


def history(conn: sa.Connection) -> list[Version]:
    """Every version, newest first."""
    if not _exists(conn):
        return []
    rows = conn.execute(sa.select(VERSION_TABLE).order_by(VERSION_TABLE.c.id.desc()))
    return [_version(row) for row in rows]


def _version(row: Any) -> Version:
    return Version(row.id, row.created_at, row.author, row.message,
                   ConfigFiles(dict(row.files), origin=f"version {row.id}"), row.diff,
                   row.report)


def add(conn: sa.Connection, number: int, files: ConfigFiles, previous: Version | None, *,
        author: str, message: str, report: str) -> Version:
    """Store a new version; the primary key makes a second writer of ``number`` fail."""
    version = Version(number, dt.datetime.now(dt.UTC).replace(tzinfo=None), author, message,
                      files, diff_files(previous.files if previous else None, files), report)
    conn.execute(sa.insert(VERSION_TABLE).values(
        id=number, created_at=version.created_at, author=author, message=message,
        files=dict(files.texts), diff=version.diff, report=report))
    return version


def diff_files(before: ConfigFiles | None, after: ConfigFiles) -> str:
    """A unified diff of every file that changed, was added or was removed."""
    old = dict(before.texts) if before else {}
    new = dict(after.texts)
    chunks = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        chunks += difflib.unified_diff(
            (old.get(name) or "").splitlines(keepends=True),
            (new.get(name) or "").splitlines(keepends=True),
            fromfile=f"a/{name}" if name in old else "/dev/null",
            tofile=f"b/{name}" if name in new else "/dev/null")
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks)


DRAFT_TABLE = sa.Table(
    "ll_config_draft", VERSIONS,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("base_version", sa.Integer),
    sa.Column("files", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Draft:
    """An admin's unpublished edits: the whole config, and the version it started from."""

    base_version: int | None
    files: ConfigFiles


def get_draft(conn: sa.Connection, user_id: int) -> Draft | None:
    if not sa.inspect(conn).has_table(DRAFT_TABLE.name):
        return None
    row = conn.execute(sa.select(DRAFT_TABLE).where(DRAFT_TABLE.c.user_id == user_id)).first()
    if row is None:
        return None
    return Draft(row.base_version, ConfigFiles(dict(row.files), origin="draft"))


def save_draft(conn: sa.Connection, user_id: int, draft: Draft) -> None:
    ensure_table(conn)
    conn.execute(sa.delete(DRAFT_TABLE).where(DRAFT_TABLE.c.user_id == user_id))
    conn.execute(sa.insert(DRAFT_TABLE).values(
        user_id=user_id, base_version=draft.base_version, files=dict(draft.files.texts),
        updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))


def discard_draft(conn: sa.Connection, user_id: int) -> None:
    if sa.inspect(conn).has_table(DRAFT_TABLE.name):
        conn.execute(sa.delete(DRAFT_TABLE).where(DRAFT_TABLE.c.user_id == user_id))
