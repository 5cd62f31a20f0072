"""The job functions RQ runs, and how they are queued (retries with backoff, timeouts).

``render_report`` makes one copy for one recipient; ``fan_out`` is what the scheduler
queues when a report is due: it queues one ``render_report`` per recipient. Both are
idempotent through the archive's ``run_key``: a retried job stores its PDF once.
``run_lead_rule`` is what the scheduler queues when a lead-rule job is due: the same
function ``leadloom tick`` runs (its messages carry keys, so a retry sends nothing twice).
The scheduled ones record how their slot went (``slots.SlotClaims``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from rq import Queue, Retry, get_current_job
from rq.job import Job
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.jobs.errors import JobError
from leadloom.jobs.runtime import Runtime, current_runtime
from leadloom.jobs.slots import SlotClaims
from leadloom.lifecycle import get_version, latest_number
from leadloom.metadata import load_registry
from leadloom.model import Models, build_models
from leadloom.records import Context
from leadloom.records.leads import clock
from leadloom.records.leads.periodic import tick
from leadloom.records.leads.recompute import Run, recompute, run_of
from leadloom.reporting import ReportRequest, run_report, spec_of
from leadloom.reporting.audience import recipient_for, recipients_of
from leadloom.reporting.delivery import deliver
from leadloom.reporting.service import Progress

log = logging.getLogger(__name__)

#: seconds before the 1st, 2nd and 3rd retry of a failed job
RETRY_INTERVALS = (5, 30, 120)
JOB_TIMEOUT = 600
RESULT_TTL = 7 * 24 * 3600
FAILURE_TTL = 30 * 24 * 3600


def enqueue_render(queue: Queue, request: ReportRequest, *, requested_by: int | None = None,
                   job_id: str | None = None) -> Job:
    """Queue one ``render_report``; it is retried ``len(RETRY_INTERVALS)`` times."""
    return queue.enqueue(
        render_report, request.as_dict(), job_id=job_id, job_timeout=JOB_TIMEOUT,
        result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
        retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
        description=f"report {request.report} ({request.trigger})",
        meta={"kind": "report", "report": request.report, "requested_by": requested_by,
              "recipient_id": request.recipient_id, "progress": 0, "stage": "queued"})


def render_report(request: dict[str, Any]) -> dict[str, Any]:
    """Render and archive one copy; e-mail it if it is a scheduled copy and SMTP is set."""
    runtime = current_runtime()
    job = get_current_job()
    wanted = ReportRequest.from_dict(request)
    if job is not None:
        wanted = replace(wanted, job_id=wanted.job_id or job.id,
                         run_key=wanted.run_key or f"job:{job.id}")
    archived = run_report(runtime.env, wanted, _progress(job))
    result: dict[str, Any] = {"file_id": archived.id, "report": archived.report,
                              "period": archived.period, "pages": archived.pages,
                              "size": archived.size,
                              "config_version": runtime.models.registry.version}
    settings = runtime.settings
    if wanted.trigger == "schedule" and settings.smtp_url and archived.recipient_id:
        env = runtime.env
        with env.sessions() as session:
            email = recipient_for(session, env.models, archived.recipient_id).email
            result["delivery"] = deliver(session, env.models, env.reports_dir,
                                         settings.smtp_url, settings.mail_from, archived, email)
    return result


@contextmanager
def _recorded(runtime: Runtime, rule: str, due_at: str) -> Iterator[dict[str, Any]]:
    """Mark the slot ``done`` with the result the block fills in, or ``failed`` with the
    error (which then propagates: RQ retries or records the failure)."""
    claims = SlotClaims(runtime.env.sessions)
    slot = dt.datetime.fromisoformat(due_at)
    result: dict[str, Any] = {}
    try:
        yield result
    except Exception as error:
        claims.finish(rule, slot, "failed", f"{type(error).__name__}: {error}")
        raise
    claims.finish(rule, slot, "done", ", ".join(f"{k}={v}" for k, v in result.items()))
    log.info("schedule %s slot %s ran in process %d: %s", rule, due_at, os.getpid(), result)


def run_lead_rule(job: str, due_at: str) -> dict[str, Any]:
    """Run the lead rules' periodic ``job`` for its schedule slot ``due_at``, acting at the
    current time (a slot caught up late sees today's leads); like ``leadloom tick``, open
    leads are recomputed first if a publish changed their rules and no one has yet (or
    finished: a run a process left mid-way goes on)."""
    runtime = current_runtime()
    with _recorded(runtime, f"leads.{job}", due_at) as result:
        with runtime.env.sessions() as session:
            ctx = Context(Actor.system_actor(), session, runtime.models, channel="job")
            run = recompute(ctx, still_active=_is_active(session, runtime.models))
            counts = tick(ctx, clock.now(), only=(job,))
        result["count"] = counts.get(job, 0)
        if run is not None:
            result["recomputed"] = run.changed
    return {"job": job, "due_at": due_at, **result}


def enqueue_recompute(queue: Queue, version: int) -> Job:
    """Queue the recompute of the open leads for config ``version`` (one job per version:
    queueing it again while it waits does nothing)."""
    job_id = f"ll-recompute-{version}"
    if Job.exists(job_id, connection=queue.connection):
        return Job.fetch(job_id, connection=queue.connection)
    return queue.enqueue(recompute_leads, version, job_id=job_id, job_timeout=JOB_TIMEOUT * 6,
                         result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
                         retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
                         description=f"recompute open leads for config v{version}",
                         meta={"kind": "recompute", "progress": 0, "stage": "queued"})


def recompute_leads(version: int) -> dict[str, Any]:
    """Recompute the open leads under config ``version``'s rules, batch by batch (a retry,
    or another process, goes on where the last batch ended); stops if a newer version is
    published meanwhile."""
    runtime = current_runtime()
    job = get_current_job()
    with runtime.env.sessions() as session:
        models = runtime.models
        if models.registry.version != version:  # this process has not switched yet
            models = _models_of(session, version)
        ctx = Context(Actor.system_actor(), session, models, channel="job")

        def shown(run: Run) -> None:
            _progress(job)(run.percent, f"{run.checked}/{run.total}")

        run = recompute(ctx, still_active=_is_active(session, models), progress=shown) or run_of(
            session, models, version)
    if run is None:
        return {"version": version, "state": "skipped"}
    return {"version": version, "state": run.state, "checked": run.checked,
            "changed": run.changed, "due_changed": run.due_changed,
            "grade_changed": run.grade_changed}


def _is_active(session: Session, models: Models) -> Callable[[], bool]:
    """Whether ``models``' version is still the active one (asked on a connection of its
    own: the session may hold the run's lock)."""

    def active() -> bool:
        with session.get_bind().connect() as conn:
            return latest_number(conn) == models.registry.version

    return active


def _models_of(session: Session, version: int) -> Models:
    stored = get_version(session.connection(), version)
    if stored is None:
        raise JobError(f"there is no config version {version}")
    return build_models(replace(load_registry(stored.files), version=version))


def fan_out(report: str, due_at: str) -> dict[str, Any]:
    """Queue one copy of ``report`` per recipient for the schedule slot ``due_at``."""
    runtime = current_runtime()
    job = get_current_job()
    assert job is not None, "fan_out runs as an RQ job"
    with _recorded(runtime, f"report.{report}", due_at) as result:
        result["copies"] = _fan_out(runtime, job, report, due_at)
    return {"report": report, "due_at": due_at, **result}


def _fan_out(runtime: Runtime, job: Job, report: str, due_at: str) -> int:
    spec = spec_of(runtime.env.registry, report)
    with runtime.env.sessions() as session:
        recipients = recipients_of(session, runtime.models, spec)
    queue = Queue(job.origin, connection=job.connection)
    slot = due_at.replace(":", "").replace("+", "p")
    for recipient in recipients:
        request = ReportRequest(report, recipient.user_id, trigger="schedule", at=due_at,
                                run_key=f"schedule:{report}:{due_at}:{recipient.user_id}")
        job_id = f"ll-{report}-{slot}-{recipient.user_id}"
        if not Job.exists(job_id, connection=job.connection):  # a retried fan-out
            enqueue_render(queue, request, job_id=job_id)
    return len(recipients)


def _progress(job: Job | None) -> Progress:
    def step(percent: int, stage: str) -> None:
        if job is None:
            return
        job.meta["progress"] = percent
        job.meta["stage"] = stage
        job.meta["pid"] = os.getpid()  # the process rendering it (diagnostics, tests)
        job.save_meta()  # type: ignore[no-untyped-call]

    return step
