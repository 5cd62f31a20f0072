"""Report jobs on a real Redis with real ``leadloom worker`` processes (RQ's forking
worker): a report requested through the API is rendered by the worker; a worker killed in
the middle of a job leaves the job to be retried (by another worker within a minute), and
the PDF is produced once.

Each test module claims an empty Redis database (15 down to 8) and flushes it at the end.
Skipped only when no Redis answers (CI starts one on 127.0.0.1:6379).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from redis import Redis
from rq import Worker
from rq.job import Job, JobStatus

from leadloom.model.reports import REPORT_FILE_TABLE
from leadloom.settings import Settings
from leadloom.web.state import state
from tests.helpers import CONFIG, demo_site
from tests.pdf_checks import embedded_fonts, page_count

PASSWORD = "pw123456"


@pytest.fixture(scope="module")
def site(redis_url: str, database_factory: Callable[[], str],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return demo_site(redis_url, database_factory, tmp_path_factory, leads=1000, seed=5,
                     password=PASSWORD)


class WorkerProcess:
    """``leadloom worker`` in its own session, with its output in a log file."""

    def __init__(self, site: dict[str, object], monitoring: int = 1) -> None:
        settings: Settings = site["settings"]  # type: ignore[assignment]
        self.redis: Redis = site["redis"]  # type: ignore[assignment]
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        self.log = Path(site["logs"]) / f"{self.name}.log"  # type: ignore[arg-type]
        env = {**os.environ, "LEADLOOM_REDIS_URL": settings.redis_url or "",
               "LEADLOOM_REPORTS_DIR": str(settings.reports_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "leadloom", "--config", str(CONFIG), "--database-url",
             settings.database_url, "worker", "--job-monitoring-interval", str(monitoring),
             "--name", self.name],
            env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True)
        self._wait_until(lambda: any(w.name == self.name for w in Worker.all(self.redis)),
                         "worker registered")

    def _wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            assert self.process.poll() is None, f"worker exited: {self.log.read_text()}"
            assert time.monotonic() < deadline, f"timed out: {what}\n{self.log.read_text()}"
            time.sleep(0.05)

    def children(self) -> list[int]:
        return [pid for pid in _pids() if _ppid(pid) == self.process.pid]

    def kill_all(self) -> None:
        """SIGKILL the worker, its work horse and its scheduler: a crashed machine."""
        for pid in [*self.children(), self.process.pid]:
            _kill(pid)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_all()


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def api(app: Flask, user: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": user, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    return lambda method, url, **kw: getattr(client, method)(url, headers=headers, **kw)


def wait_for(job: Job, done: Callable[[Job], bool], timeout: float = 90) -> Job:
    deadline = time.monotonic() + timeout
    while not done(job):
        assert time.monotonic() < deadline, f"job {job.id}: {job.get_status()} {job.meta}"
        time.sleep(0.02)
        job.refresh()
    return job


def archived_rows(site: dict[str, object], job_id: str) -> list[dict[str, object]]:
    app: Flask = site["app"]  # type: ignore[assignment]
    with app.app_context():
        st = state()
        table = st.models.metadata.tables[REPORT_FILE_TABLE]
        return [dict(r) for r in st.db.session.execute(
            sa.select(table).where(table.c.job_id == job_id)).mappings()]


def pdfs_of(site: dict[str, object], row: dict[str, object]) -> list[Path]:
    settings: Settings = site["settings"]  # type: ignore[assignment]
    folder = Path(settings.reports_dir) / str(row["report"]) / str(row["period"])
    return sorted(folder.glob(f"*{Path(str(row['path'])).stem[-10:]}*"))


def test_report_requested_through_the_api_is_rendered_by_the_worker(site):
    worker = WorkerProcess(site)
    try:
        call = api(site["app"], "sup1")  # type: ignore[arg-type]
        response = call("post", "/api/v1/reports/weekly_funnel/run", json={"period": "2025-W50"})
        assert response.status_code == 202, response.get_json()
        url = response.get_json()["state_url"]
        deadline = time.monotonic() + 60
        while (state_ := call("get", url).get_json())["state"] not in ("finished", "failed"):
            assert time.monotonic() < deadline, state_
            time.sleep(0.1)
        assert state_["state"] == "finished", (state_, worker.log.read_text())
        job = Job.fetch(state_["id"], connection=site["redis"])  # type: ignore[arg-type]
        assert job.worker_name == worker.name
        assert job.meta["pid"] != worker.process.pid  # rendered in a forked work horse
        pdf = call("get", state_["pdf_url"])
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        [row] = archived_rows(site, job.id)
        [path] = pdfs_of(site, row)
        assert any("CJK" in name and embedded for name, embedded in embedded_fonts(path))
        assert page_count(path) == row["pages"] and row["recipient"] == "sup1"
    finally:
        worker.stop()


def _start_render(site: dict[str, object]) -> Job:
    call = api(site["app"], "sup1")  # type: ignore[arg-type]
    response = call("post", "/api/v1/reports/stale_leads/run", json={"period": "2025-12-31"})
    assert response.status_code == 202, response.get_json()
    job = Job.fetch(response.get_json()["job_id"], connection=site["redis"])  # type: ignore[arg-type]
    return wait_for(job, lambda j: j.meta.get("stage") == "render")


def _assert_retried_and_stored_once(site: dict[str, object], job: Job) -> None:
    wait_for(job, lambda j: j.get_status() == JobStatus.FINISHED)
    assert job.retries_left == 2, "the job ran a second time, as its first retry"
    [row] = archived_rows(site, job.id)
    assert row["run_key"] == f"job:{job.id}"
    assert [p.suffix for p in pdfs_of(site, row)] == [".pdf"]


@pytest.mark.slow
def test_killed_work_horse_the_job_is_retried_and_the_pdf_made_once(site):
    worker = WorkerProcess(site)
    try:
        job = _start_render(site)
        horse = job.meta["pid"]
        assert horse in worker.children()
        _kill(horse)
        _assert_retried_and_stored_once(site, job)
        assert worker.process.poll() is None
    finally:
        worker.stop()


@pytest.mark.slow
@pytest.mark.parametrize("other", ["started after the kill", "idle already"])
def test_killed_worker_the_job_is_retried_by_another_within_a_minute(site, other):
    """Worker and work horse SIGKILLed (a crashed machine), every setting at its default;
    another worker, started at once or idle already, finds the job abandoned once its
    heartbeat has run out and retries it. RQ's defaults took over seven minutes."""
    workers = [WorkerProcess(site, monitoring=10) for _ in range(1 + (other == "idle already"))]
    job = _start_render(site)
    [busy] = [w for w in workers if w.name == job.worker_name]
    busy.kill_all()
    killed = time.monotonic()
    second = next((w for w in workers if w is not busy), None) or WorkerProcess(
        site, monitoring=10)
    try:
        _assert_retried_and_stored_once(site, job)
        took = time.monotonic() - killed
        print(f"\nworker {other}: the killed worker's job finished {took:.1f} s after the kill")
        assert took < 60
        assert job.worker_name == second.name
    finally:
        second.stop()


def test_rq_dashboard_is_for_admins_only(site):
    app: Flask = site["app"]  # type: ignore[assignment]

    def login(user: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        assert client.post("/login/", data={"username": user, "password": PASSWORD}
                           ).status_code == 302
        return client

    admin = login("admin")
    page = admin.get("/rq/")
    assert page.status_code == 200 and b"RQ" in page.data
    assert admin.get("/rq/0/data/queues.json").status_code == 200
    assert login("sup1").get("/rq/").status_code == 403
    assert app.test_client().get("/rq/").status_code == 403
    jobs_page = admin.get("/report-jobs/").get_data(as_text=True)
    assert 'href="/rq/"' in jobs_page
