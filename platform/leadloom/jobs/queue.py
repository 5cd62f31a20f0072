"""Queueing report jobs and reading their state, with real Redis or in-process.

``JobQueue.connect(settings, runtime)`` gives a queue on ``LEADLOOM_REDIS_URL``, or, when
it is unset, on an in-process fakeredis whose jobs run in a background thread
(``inline.InlineJobs``). Either way ``state(job_id)`` answers the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from redis import Redis
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from leadloom.jobs.import_tasks import enqueue_import
from leadloom.jobs.inline import InlineJobs
from leadloom.jobs.runtime import Runtime
from leadloom.jobs.tasks import enqueue_recompute, enqueue_render
from leadloom.reporting import ReportRequest
from leadloom.settings import Settings

QUEUE = "default"
#: RQ's words for a job's state, as the API says them
STATES = {
    JobStatus.QUEUED: "queued", JobStatus.STARTED: "started", JobStatus.FINISHED: "finished",
    JobStatus.FAILED: "failed", JobStatus.DEFERRED: "deferred",
    JobStatus.SCHEDULED: "retrying", JobStatus.STOPPED: "failed", JobStatus.CANCELED: "canceled",
}


@dataclass(frozen=True, slots=True)
class JobState:
    """What ``GET /api/v1/jobs/<id>`` tells: state, progress 0–100, the stage, the file."""

    id: str
    state: str
    progress: int
    stage: str
    report: str | None
    requested_by: int | None
    file_id: int | None
    error: str | None
    enqueued_at: dt.datetime | None
    retries_left: int | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "progress": self.progress,
                "stage": self.stage, "report": self.report, "file_id": self.file_id,
                "error": self.error, "retries_left": self.retries_left,
                "enqueued_at": self.enqueued_at.isoformat() if self.enqueued_at else None}


class JobQueue:
    """The report queue of one app or command."""

    def __init__(self, connection: Redis, *, inline: InlineJobs | None = None,
                 name: str = QUEUE) -> None:
        self.connection = connection
        self.inline = inline
        self.queue = Queue(name, connection=connection)

    @classmethod
    def connect(cls, settings: Settings, runtime: Runtime) -> JobQueue:
        """Redis when ``settings.redis_url`` is set, else the embedded mode."""
        if settings.redis_url:
            return cls(Redis.from_url(settings.redis_url))
        inline = InlineJobs(runtime, queue_name=QUEUE)
        return cls(inline.connection, inline=inline)

    @property
    def embedded(self) -> bool:
        return self.inline is not None

    def enqueue_report(self, request: ReportRequest, requested_by: int | None) -> str:
        """Queue one copy; returns the job id."""
        job = enqueue_render(self.queue, request, requested_by=requested_by)
        if self.inline is not None:
            self.inline.wake()
        return job.id

    def enqueue_recompute(self, version: int) -> str:
        """Queue the recompute of the open leads for config ``version``; the job id."""
        job = enqueue_recompute(self.queue, version)
        if self.inline is not None:
            self.inline.wake()
        return job.id

    def enqueue_import(self, run_id: int, requested_by: int | None = None) -> str:
        """Queue the import of run ``run_id`` for user ``requested_by``; the job id."""
        job = enqueue_import(self.queue, run_id, requested_by)
        if self.inline is not None:
            self.inline.wake()
        return job.id

    def state(self, job_id: str) -> JobState | None:
        try:
            job = Job.fetch(job_id, connection=self.connection)
        except (NoSuchJobError, ValueError):
            return None
        return job_state(job)

    def failed(self, limit: int = 100) -> list[JobState]:
        """Failed jobs, newest first (what admins see on the jobs page)."""
        registry = FailedJobRegistry(queue=self.queue)
        ids = list(reversed(registry.get_job_ids()))[:limit]
        return [job_state(j) for j in Job.fetch_many(ids, connection=self.connection) if j]

    def retry(self, job_id: str) -> bool:
        """Put a failed job back on the queue; False if it is not a failed job."""
        registry = FailedJobRegistry(queue=self.queue)
        try:
            registry.requeue(job_id)
        except (InvalidJobOperation, NoSuchJobError):
            return False
        if self.inline is not None:
            self.inline.wake()
        return True


def job_state(job: Job) -> JobState:
    status = job.get_status(refresh=False)
    meta = job.meta or {}
    result = job.return_value() if status == JobStatus.FINISHED else None
    error = None
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.SCHEDULED):
        latest = job.latest_result()
        if latest is not None and latest.exc_string:
            error = latest.exc_string.strip().splitlines()[-1][:300]
    return JobState(
        id=job.id, state=STATES.get(status, str(status)) if status else "unknown",
        progress=100 if status == JobStatus.FINISHED else int(meta.get("progress", 0)),
        stage=str(meta.get("stage", "")), report=meta.get("report"),
        requested_by=meta.get("requested_by"),
        file_id=result.get("file_id") if isinstance(result, dict) else None, error=error,
        enqueued_at=job.enqueued_at, retries_left=job.retries_left)
