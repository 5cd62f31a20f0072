"""The report archive: every rendered PDF on disk under ``LEADLOOM_REPORTS_DIR`` and one
``ll_report_file`` row (report, period, recipient, scope, created at, size, checksum).

The only code that writes the archive tables. Rows are keyed by ``run_key`` (the job or
the schedule slot, plus the recipient), so a retried job stores its PDF once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.metadata.messages import Message
from leadloom.model import Models, utcnow
from leadloom.model.reports import REPORT_DELIVERY_TABLE, REPORT_FILE_TABLE
from leadloom.reporting.errors import ReportNotFound


@dataclass(frozen=True, slots=True)
class ArchivedReport:
    """One stored PDF; ``path`` is relative to the reports folder."""

    id: int
    report: str
    title: str
    period: str
    period_start: dt.date | None
    period_end: dt.date | None
    recipient_id: int | None
    recipient: str
    scope: str
    locale: str
    trigger: str
    run_key: str
    job_id: str | None
    requested_by_id: int | None
    path: str
    size: int
    checksum: str
    pages: int
    render_ms: int | None
    created_at: dt.datetime

    def file(self, reports_dir: Path) -> Path:
        return reports_dir / self.path

    @property
    def filename(self) -> str:
        return Path(self.path).name

    def as_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("period_start", "period_end", "created_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data.pop("path")
        return data


def files_table(models: Models) -> sa.Table:
    return models.metadata.tables[REPORT_FILE_TABLE]


def deliveries_table(models: Models) -> sa.Table:
    return models.metadata.tables[REPORT_DELIVERY_TABLE]


def find_run(session: Session, models: Models, run_key: str) -> ArchivedReport | None:
    table = files_table(models)
    row = session.execute(sa.select(table).where(table.c.run_key == run_key)).mappings().first()
    return ArchivedReport(**row) if row else None


def store(session: Session, models: Models, reports_dir: Path, pdf: bytes,
          meta: dict[str, Any]) -> ArchivedReport:
    """Write ``pdf`` and its row once per ``meta["run_key"]``; a repeat returns the first.

    ``meta`` holds the row's columns except the file's own (path, size, checksum) and
    ``created_at``.
    """
    existing = find_run(session, models, meta["run_key"])
    if existing is not None:
        return existing
    relative = _relative_path(meta)
    target = reports_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pdf)
    os.replace(partial, target)
    row = {**meta, "path": relative.as_posix(), "size": len(pdf),
           "checksum": hashlib.sha256(pdf).hexdigest(), "created_at": utcnow()}
    table = files_table(models)
    try:
        session.execute(sa.insert(table).values(**row))
        session.commit()
    except sa.exc.IntegrityError:  # another attempt of the same run got there first
        session.rollback()
    found = find_run(session, models, meta["run_key"])
    assert found is not None
    return found


def _relative_path(meta: dict[str, Any]) -> Path:
    """``<report>/<period>/<report>_<period>_<recipient>_<key hash>.pdf``."""
    key = hashlib.sha1(meta["run_key"].encode(), usedforsecurity=False).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in meta["recipient"])
    name = f"{meta['report']}_{meta['period']}_{safe}_{key}.pdf"
    return Path(str(meta["report"]), str(meta["period"]), name)


def visible(session: Session, models: Models, actor: Actor, *, admin: bool,
            report: str | None = None, limit: int = 200) -> list[ArchivedReport]:
    """The archive as ``actor`` may see it, newest first: admins everything, everyone
    else the copies made for them."""
    table = files_table(models)
    query = sa.select(table).order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
    if not admin:
        query = query.where(table.c.recipient_id == actor.user_id,
                            table.c.recipient_id.is_not(None))
    if report:
        query = query.where(table.c.report == report)
    return [ArchivedReport(**row) for row in session.execute(query).mappings()]


def get_visible(session: Session, models: Models, actor: Actor, file_id: int, *,
                admin: bool) -> ArchivedReport:
    """One archived PDF ``actor`` may see.

    :raises ReportNotFound: no such file, or not the actor's (indistinguishable).
    """
    table = files_table(models)
    row = session.execute(sa.select(table).where(table.c.id == file_id)).mappings().first()
    if row is None or not (admin or (row["recipient_id"] is not None
                                     and row["recipient_id"] == actor.user_id)):
        raise ReportNotFound(Message("no report file #%(id)s", id=file_id))
    return ArchivedReport(**row)


def log_delivery(session: Session, models: Models, file_id: int, email: str, status: str,
                 error: str | None = None) -> None:
    """Record one e-mail delivery attempt (``sent``, ``failed`` or ``skipped``)."""
    session.execute(sa.insert(deliveries_table(models)).values(
        file_id=file_id, email=email, status=status, error=error, created_at=utcnow()))
    session.commit()


def deliveries(session: Session, models: Models, file_id: int) -> list[dict[str, Any]]:
    table = deliveries_table(models)
    return [dict(row) for row in session.execute(
        sa.select(table).where(table.c.file_id == file_id).order_by(table.c.id)).mappings()]
