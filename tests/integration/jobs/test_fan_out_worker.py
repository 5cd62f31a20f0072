"""A scheduled report end to end on a real Redis with a real ``leadloom worker`` process:
the scheduler, on a fixed clock at Monday 09:00 Asia/Shanghai, queues the slot's
``fan_out``; the worker runs it (in a fresh process: no web app has configured the
mappers there), queues one copy per recipient, renders each and archives its PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role
from rq.job import Job, JobStatus
from sqlalchemy.orm import sessionmaker

from leadloom.jobs.scheduler import Scheduler
from leadloom.jobs.slots import SlotClaims
from leadloom.model.reports import REPORT_FILE_TABLE
from leadloom.settings import Settings
from leadloom.web.state import state
from tests.helpers import Clock, demo_site
from tests.integration.jobs.test_redis_worker import WorkerProcess, wait_for
from tests.pdf_checks import page_count

#: Monday 5 January 2026, 09:00 in Shanghai: weekly_funnel ("0 9 * * 1") is due
DUE = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def site(redis_url: str, database_factory: Callable[[], str],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return demo_site(redis_url, database_factory, tmp_path_factory, leads=200, seed=9,
                     password="pw123456")


def recipients(site: dict[str, object], roles: tuple[str, ...]) -> set[int]:
    """The active users holding ``roles``, read straight from FAB's tables."""
    with site["app"].app_context():  # type: ignore[attr-defined]
        return set(state().db.session.scalars(
            sa.select(User.id).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
            .join(Role, Role.id == assoc_user_role.c.role_id)
            .where(Role.name.in_(roles), User.active.is_(True))))


def archived(site: dict[str, object]) -> list[dict[str, object]]:
    with site["app"].app_context():  # type: ignore[attr-defined]
        table = state().models.metadata.tables[REPORT_FILE_TABLE]
        return [dict(r) for r in state().db.session.execute(sa.select(table).where(
            table.c.run_key.like(f"schedule:weekly_funnel:{DUE.isoformat()}:%"))).mappings()]


def queue_the_slot(site: dict[str, object]) -> Job:
    """Walk the scheduler's fixed clock over 09:00; exactly the fan-out is queued."""
    with site["app"].app_context():  # type: ignore[attr-defined]
        registry = state().registry
        claims = SlotClaims(sessionmaker(state().db.engine))
    clock = Clock(DUE - dt.timedelta(minutes=1))
    scheduler = Scheduler(site["redis"], registry, claims, clock=clock,  # type: ignore[arg-type]
                          name="test-fan-out")
    assert scheduler.tick() == []
    clock.at = DUE + dt.timedelta(seconds=5)
    [job] = [j for j in scheduler.tick() if j.args[0] == "weekly_funnel"]
    assert job.func_name == "leadloom.jobs.tasks.fan_out"
    assert job.args == ("weekly_funnel", DUE.isoformat())
    return job


def finished(job: Job, log: Path) -> Job:
    wait_for(job, lambda j: j.get_status() in (JobStatus.FINISHED, JobStatus.FAILED),
             timeout=120)
    assert job.get_status() == JobStatus.FINISHED, (job.exc_info, log.read_text()[-3000:])
    return job


@pytest.mark.slow
def test_a_scheduled_slot_is_fanned_out_and_rendered_by_a_real_worker(site):
    wanted = recipients(site, ("supervisor", "admin"))
    assert len(wanted) >= 3
    fan = queue_the_slot(site)
    worker = WorkerProcess(site)
    try:
        result = finished(fan, worker.log).return_value()
        assert result == {"report": "weekly_funnel", "due_at": DUE.isoformat(),
                          "copies": len(wanted)}
        slot = DUE.isoformat().replace(":", "").replace("+", "p")
        for user in wanted:
            copy = Job.fetch(f"ll-weekly_funnel-{slot}-{user}",
                             connection=site["redis"])  # type: ignore[arg-type]
            finished(copy, worker.log)
            assert copy.worker_name == worker.name
    finally:
        worker.stop()
    rows = archived(site)
    assert sorted(r["recipient_id"] for r in rows) == sorted(wanted)
    settings: Settings = site["settings"]  # type: ignore[assignment]
    for row in rows:
        assert row["trigger"] == "schedule" and row["period"] == "2026-W01"
        pdf = Path(settings.reports_dir) / str(row["path"])
        assert pdf.read_bytes().startswith(b"%PDF")
        assert page_count(pdf) == row["pages"] >= 1
