"""With Redis, an import asked for through REST is an RQ job a real ``leadloom worker``
runs: the run waits queued until a worker takes it, then ends done with exact counts.

Skipped only when no Redis answers (CI starts one on 127.0.0.1:6379).
"""

from __future__ import annotations

import io

from rq.job import Job, JobStatus

from tests.integration.jobs.test_redis_worker import (  # noqa: F401 (the module's site)
    PASSWORD,
    WorkerProcess,
    site,
    wait_for,
)
from tests.integration.records.leads.test_impcore_engine import row, xlsx


def test_a_worker_imports_a_list_sent_through_rest(site):  # noqa: F811
    client = site["app"].test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "sup1", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = xlsx([row(9100), row(9101, industry="??"), row(9100), row(9102)])
    answer = client.post("/api/v1/lead/import", headers=auth, data={
        "file": (io.BytesIO(body), "expo.xlsx"), "preset": "cn_crm"},
        content_type="multipart/form-data")
    assert answer.status_code == 202, answer.get_json()
    run_id, job_id = answer.get_json()["id"], answer.get_json()["job"]
    queued = client.get(f"/api/v1/lead/import/{run_id}", headers=auth).get_json()
    assert queued["status"] == "queued"  # no worker yet: nothing ran in the web process
    worker = WorkerProcess(site)
    try:
        job = wait_for(Job.fetch(job_id, connection=site["redis"]),
                       lambda j: j.get_status() in (JobStatus.FINISHED, JobStatus.FAILED), 180)
    finally:
        worker.stop()
    assert job.get_status() == JobStatus.FINISHED, worker.log.read_text()[-3000:]
    run = client.get(f"/api/v1/lead/import/{run_id}", headers=auth).get_json()
    assert run["status"] == "done", run
    assert (run["counts"]["created"], run["counts"]["skipped"], run["counts"]["refused"]) \
        == (2, 1, 1), run
