"""With Redis, the recompute after a publish is an RQ job a real ``leadloom worker`` runs:
queued once per version, it brings every open lead to the new version's rules.

Skipped only when no Redis answers (CI starts one on 127.0.0.1:6379).
"""

from __future__ import annotations

import sqlalchemy as sa
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.jobs import JobQueue
from leadloom.metadata.files import read_folder
from leadloom.model import build_models
from leadloom.records.leads.derived import DERIVED_FIELDS, derive, lead_values, override_times
from tests.helpers import CONFIG
from tests.integration.jobs.test_redis_worker import (  # noqa: F401 (the module's site)
    WorkerProcess,
    site,
    wait_for,
)


def test_a_worker_recomputes_the_open_leads_of_a_published_version(site):  # noqa: F811
    settings = site["settings"]
    engine = sa.create_engine(settings.database_url)
    files = read_folder(CONFIG)
    slower = files.get("leads.yaml").replace("    preset: cadence_s1\n",
                                             "    preset: cadence_s0\n", 1)
    done = lifecycle.publish(engine, files.with_text("leads.yaml", slower), author="admin",
                             message="a slower cadence")
    queue = JobQueue(Redis.from_url(settings.redis_url))
    job_id = queue.enqueue_recompute(done.version)
    assert queue.enqueue_recompute(done.version) == job_id  # queued once per version
    worker = WorkerProcess(site)
    try:
        job = wait_for(Job.fetch(job_id, connection=site["redis"]),
                       lambda j: j.get_status() in (JobStatus.FINISHED, JobStatus.FAILED), 180)
    finally:
        worker.stop()
    assert job.get_status() == JobStatus.FINISHED, worker.log.read_text()[-3000:]
    result = job.return_value()
    registry = done.registry
    models = build_models(registry)
    lead = models.cls("lead").__table__
    with Session(engine) as session:
        rows = list(session.execute(sa.select(lead).where(
            lead.c.status.in_(registry.lead_rules.base.open_statuses))))
        overrides = override_times(session, models, {
            r.id: r.grade_override for r in rows if r.grade_override})
    engine.dispose()
    assert (result["state"], result["checked"]) == ("done", len(rows))
    assert result["due_changed"] > 0
    now = job.ended_at.replace(tzinfo=None)
    for row in rows:
        values = lead_values(registry.entity("lead"), row)
        fresh = derive(registry.lead_rules.for_unit(row.unit), values, overrides.get(row.id),
                       now)
        assert {k: values[k] for k in DERIVED_FIELDS} == fresh, row.id
