"""Import runs: the stored upload and its options, the job that imports it batch after
batch (progress and outcomes committed with each batch), and what its importer may read.

An import is queued by the web layer (``start_import`` with the app's job queue) or run
at once by the CLI (``create_run`` then ``perform``). Only the importer and admins read a
run, its counts and its error file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights
from leadloom.imports.engine import OUTCOMES, Importer, RowOutcome, counts
from leadloom.imports.fields import entity_of
from leadloom.imports.options import ImportOptions
from leadloom.imports.rows import columns_of
from leadloom.imports.sheets import read_sheet
from leadloom.metadata.catalog import loaded, stored
from leadloom.metadata.messages import Message
from leadloom.model import Models, utcnow
from leadloom.model.imports import IMPORT_ISSUE_TABLE, IMPORT_RUN_TABLE, NAME_LENGTH
from leadloom.records import Context
from leadloom.records.errors import not_allowed
from leadloom.workflow.approvals import actor_of

STATES = ("queued", "running", "done", "failed")
#: outcomes the error file lists (and the issues table keeps)
ISSUES = ("refused", "skipped")


class Enqueuer(Protocol):
    """What queues an import's job: ``jobs.JobQueue``."""

    def enqueue_import(self, run_id: int, requested_by: int | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class ImportRun:
    """An import as its importer sees it: where it is and what became of its rows."""

    id: int
    entity: str
    filename: str
    status: str
    total: int
    processed: int
    counts: dict[str, int]
    user_id: int | None
    username: str
    options: ImportOptions
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    job_id: str | None = None
    error: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        """0–100; a finished run is 100 whatever its rows."""
        if self.status == "done":
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    def as_json(self) -> dict[str, Any]:
        when = {k: v.isoformat() if v else None for k, v in (
            ("created_at", self.created_at), ("started_at", self.started_at),
            ("finished_at", self.finished_at))}
        return {"id": self.id, "entity": self.entity, "filename": self.filename,
                "status": self.status, "total": self.total, "processed": self.processed,
                "percent": self.percent, "counts": dict(self.counts),
                "user": self.username, "job": self.job_id, "error": self.error,
                "options": self.options.as_json(), **when}


def run_table(models: Models) -> sa.Table:
    return models.metadata.tables[IMPORT_RUN_TABLE]


def issue_table(models: Models) -> sa.Table:
    return models.metadata.tables[IMPORT_ISSUE_TABLE]


def create_run(ctx: Context, entity_code: str, filename: str, data: bytes,
               mapping: Mapping[str, str | None], options: ImportOptions) -> int:
    """Check the file and mapping, store them as a queued run; its id.

    :raises ImportFileError: the file cannot be read.
    :raises ImportRequestError: unknown entity, or a mapping the importer may not use.
    :raises Forbidden: the importer may not create records of the entity.
    """
    entity = entity_of(ctx.registry, entity_code)
    sheet = read_sheet(data, filename)
    columns_of(ctx, entity.code, sheet, mapping)
    if not rights(ctx.registry, ctx.actor, entity.code).allows("create"):
        raise not_allowed("create", entity.label)
    table = run_table(ctx.models)
    run_id = ctx.session.execute(sa.insert(table).values(
        entity=entity.code, filename=filename[:NAME_LENGTH], data=data,
        mapping=dict(mapping), options=options.as_json(), user_id=ctx.actor.user_id,
        username=ctx.actor.username, status="queued", total=sheet.row_count, processed=0,
        counts=dict.fromkeys(OUTCOMES, 0), created_at=utcnow())).inserted_primary_key[0]
    ctx.session.commit()
    return int(run_id)


def start_import(ctx: Context, entity_code: str, filename: str, data: bytes,
                 mapping: Mapping[str, str | None], options: ImportOptions,
                 queue: Enqueuer) -> int:
    """Store the import and queue its job (RQ, or the embedded queue); the run's id.

    :raises ImportFileError, ImportRequestError, Forbidden: as ``create_run``.
    """
    run_id = create_run(ctx, entity_code, filename, data, mapping, options)
    job_id = queue.enqueue_import(run_id, ctx.actor.user_id)
    ctx.session.execute(sa.update(run_table(ctx.models)).where(
        run_table(ctx.models).c.id == run_id).values(job_id=job_id))
    ctx.session.commit()
    return run_id


def perform(session: Session, models: Models, run_id: int,
            progress: Callable[[int, int], None] | None = None) -> ImportRun | None:
    """Import run ``run_id`` as its importer, from where it stopped (a retried job goes on
    after the last committed batch); None if there is no such run.

    A run that fails is marked ``failed`` with the error and its counts so far, and the
    error propagates (the job layer retries). ``progress(done, total)`` hears of each
    batch committed.
    """
    table = run_table(models)
    row = session.execute(sa.select(table).where(table.c.id == run_id)).first()
    if row is None:
        return None
    if row.status == "done":
        return _run(row)
    session.execute(sa.update(table).where(table.c.id == run_id).values(
        status="running", started_at=row.started_at or utcnow(), error=None))
    session.commit()
    actor = Actor.system_actor() if row.user_id is None else actor_of(
        session, models, row.user_id, row.username)
    ctx = Context(actor, session, models, channel="import")
    options = ImportOptions.from_json(row.options)
    tally = dict(row.counts)
    try:
        importer = Importer(ctx, row.entity, read_sheet(row.data, row.filename),
                            row.mapping, options)
        importer.run(start=row.processed, bookkeeping=_bookkeeping(ctx, run_id, tally, row.total,
                                                                   progress))
    except Exception as error:
        session.rollback()
        session.execute(sa.update(table).where(table.c.id == run_id).values(
            status="failed", error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=utcnow()))
        session.commit()
        raise
    session.execute(sa.update(table).where(table.c.id == run_id).values(
        status="done", finished_at=utcnow()))
    session.commit()
    return _run(session.execute(sa.select(table).where(table.c.id == run_id)).one())


def _bookkeeping(ctx: Context, run_id: int, tally: dict[str, int], total_rows: int,
                 progress: Callable[[int, int], None] | None) -> Any:
    """Each batch's progress, counts and issue rows, in the batch's own transaction."""
    table = run_table(ctx.models)
    issues = issue_table(ctx.models)

    def book(done: int, outcomes: list[RowOutcome]) -> None:
        batch = counts(outcomes)
        total = {k: tally.get(k, 0) + batch[k] for k in OUTCOMES}
        ctx.session.execute(sa.update(table).where(table.c.id == run_id).values(
            processed=done, counts=total))
        rows = [{"run_id": run_id, "row_number": o.row_number, "outcome": o.outcome,
                 "record_id": o.record_id, "reasons": [_stored(r) for r in o.reasons]}
                for o in outcomes if o.outcome in ISSUES or o.outcome == "flagged"]
        if rows:
            ctx.session.execute(sa.insert(issues), rows)
        tally.clear()
        tally.update(total)
        if progress is not None:
            progress(done, total_rows)

    return book


def _stored(reason: str) -> dict[str, Any]:
    return stored(reason) if isinstance(reason, Message) else {"text": str(reason)}


def reason_of(body: dict[str, Any]) -> str:
    """A stored reason as a ``Message`` (or the plain text the write path gave)."""
    return loaded(body) if "msgid" in body else str(body.get("text", ""))


def _run(row: Any) -> ImportRun:
    return ImportRun(row.id, row.entity, row.filename, row.status, row.total, row.processed,
                     {k: int(row.counts.get(k, 0)) for k in OUTCOMES}, row.user_id,
                     row.username, ImportOptions.from_json(row.options), row.created_at,
                     row.started_at, row.finished_at, row.job_id, row.error,
                     dict(row.mapping))


def is_admin(ctx: Context) -> bool:
    """The system actor, or a user holding a role with ``admin: true``."""
    admins = {r.code for r in ctx.registry.roles if r.admin}
    return ctx.actor.system or bool(admins & set(ctx.actor.roles))


def may_read(ctx: Context, user_id: int | None) -> bool:
    """The importer themself, or an admin."""
    return ctx.actor.system or (user_id is not None and user_id == ctx.actor.user_id) or (
        is_admin(ctx))


def import_run(ctx: Context, run_id: int) -> ImportRun | None:
    """Run ``run_id`` if the actor may read it (its importer, or an admin), else None."""
    table = run_table(ctx.models)
    columns = [c for c in table.c if c.name != "data"]
    row = ctx.session.execute(sa.select(*columns).where(table.c.id == run_id)).first()
    if row is None or not may_read(ctx, row.user_id):
        return None
    return _run(row)


def import_runs(ctx: Context, entity_code: str | None = None, limit: int = 20
                ) -> list[ImportRun]:
    """The actor's latest runs (an admin's: everyone's), newest first."""
    table = run_table(ctx.models)
    query = sa.select(*[c for c in table.c if c.name != "data"])
    if not (ctx.actor.system or is_admin(ctx)):
        query = query.where(table.c.user_id == ctx.actor.user_id)
    if entity_code is not None:
        query = query.where(table.c.entity == entity_code)
    rows = ctx.session.execute(query.order_by(table.c.id.desc()).limit(limit))
    return [_run(row) for row in rows]


def run_outcomes(ctx: Context, run_id: int, outcomes: tuple[str, ...] = ISSUES
                 ) -> list[RowOutcome]:
    """The rows of run ``run_id`` with these outcomes (refused, skipped, flagged), with
    their reasons and cells, in file order; empty if the actor may not read the run."""
    table = run_table(ctx.models)
    row = ctx.session.execute(sa.select(table).where(table.c.id == run_id)).first()
    if row is None or not may_read(ctx, row.user_id):
        return []
    issues = issue_table(ctx.models)
    found = ctx.session.execute(sa.select(issues).where(
        issues.c.run_id == run_id, issues.c.outcome.in_(outcomes)).order_by(issues.c.row_number))
    sheet = read_sheet(row.data, row.filename)
    where = {number: i for i, number in enumerate(sheet.numbers)}
    result = []
    for issue in found:
        cells = sheet.rows[where[issue.row_number]]
        result.append(RowOutcome(issue.row_number, issue.outcome, issue.record_id,
                                 [reason_of(r) for r in issue.reasons],
                                 dict(zip(sheet.headers, cells, strict=True))))
    return result
