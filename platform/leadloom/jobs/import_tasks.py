"""The import job: ``run_import`` imports a stored run batch after batch as its importer
(``imports.perform``); a retry goes on after the last batch committed."""

from __future__ import annotations

from typing import Any

from rq import Queue, Retry, get_current_job
from rq.job import Job

from leadloom.imports import perform
from leadloom.jobs.runtime import current_runtime
from leadloom.jobs.tasks import FAILURE_TTL, JOB_TIMEOUT, RESULT_TTL, RETRY_INTERVALS

#: 10,000 rows take well under a minute; 50,000 on a busy worker may not
IMPORT_TIMEOUT = JOB_TIMEOUT * 3


def enqueue_import(queue: Queue, run_id: int, requested_by: int | None = None) -> Job:
    """Queue the import of run ``run_id`` (one job per run) for user ``requested_by``."""
    return queue.enqueue(run_import, run_id, job_id=f"ll-import-{run_id}",
                         job_timeout=IMPORT_TIMEOUT, result_ttl=RESULT_TTL,
                         failure_ttl=FAILURE_TTL,
                         retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
                         description=f"import run {run_id}",
                         meta={"kind": "import", "run_id": run_id, "progress": 0,
                               "stage": "queued", "requested_by": requested_by})


def run_import(run_id: int) -> dict[str, Any]:
    """Import run ``run_id``; its counts."""
    runtime = current_runtime()
    job = get_current_job()

    def shown(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = int(100 * done / total) if total else 100
            job.meta["stage"] = f"{done}/{total}"
            job.save_meta()  # type: ignore[no-untyped-call]

    with runtime.env.sessions() as session:
        run = perform(session, runtime.models, run_id, shown)
    if run is None:
        return {"run_id": run_id, "state": "missing"}
    return {"run_id": run_id, "state": run.status, **run.counts}
