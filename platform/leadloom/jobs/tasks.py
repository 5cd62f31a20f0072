"""The job functions RQ runs, and how they are queued (retries with backoff, timeouts).

``render_report`` makes one copy for one recipient; ``fan_out`` is what the scheduler
queues when a report is due: it queues one ``render_report`` per recipient. Both are
idempotent through the archive's ``run_key``: a retried job stores its PDF once.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

from rq import Queue, Retry, get_current_job
from rq.job import Job

from leadloom.jobs.runtime import current_runtime
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


def fan_out(report: str, due_at: str) -> dict[str, Any]:
    """Queue one copy of ``report`` per recipient for the schedule slot ``due_at``."""
    runtime = current_runtime()
    job = get_current_job()
    assert job is not None, "fan_out runs as an RQ job"
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
    log.info("report %s due %s: queued %d copies", report, due_at, len(recipients))
    return {"report": report, "due_at": due_at, "copies": len(recipients)}


def _progress(job: Job | None) -> Progress:
    def step(percent: int, stage: str) -> None:
        if job is None:
            return
        job.meta["progress"] = percent
        job.meta["stage"] = stage
        job.meta["pid"] = os.getpid()  # the process rendering it (diagnostics, tests)
        job.save_meta()  # type: ignore[no-untyped-call]

    return step
