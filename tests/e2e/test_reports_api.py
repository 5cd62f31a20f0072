"""Reports over HTTP in the embedded mode (no Redis): run a report, follow its job to the
PDF, the scoped archive, who may run and download what, the pages, failed jobs for
admins, and ``leadloom report`` on the command line."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from leadloom.cli.main import cli
from leadloom.demo.reports import queue_sample_reports
from leadloom.jobs import JobQueue, tasks
from leadloom.jobs.scheduler import Scheduler
from leadloom.jobs.slots import SlotClaims
from leadloom.reporting import ReportRequest
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.reports import jobs
from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import CONFIG, ORG, PASSWORD, SECRET
from tests.helpers import replace_once


@pytest.fixture(scope="module")
def app(database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
        ) -> Flask:
    settings = Settings(config_dir=CONFIG, database_url=database_factory(), secret_key=SECRET,
                        reports_dir=tmp_path_factory.mktemp("reports"))
    flask_app = create_app(settings, testing=True)
    with flask_app.app_context():
        for username, roles, team, unit in ORG:
            add_user(username, roles=roles, password=PASSWORD, team=team, unit=unit)
    return flask_app


@pytest.fixture(scope="module")
def call(app: Flask) -> Callable[..., object]:
    client = app.test_client()
    tokens = {}
    for username, *_ in ORG:
        response = client.post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        tokens[username] = response.get_json()["access_token"]

    def request(user: str, method: str, url: str, **kwargs: object) -> object:
        return getattr(client, method)(url, headers={"Authorization": f"Bearer {tokens[user]}"},
                                       **kwargs)

    return request


def follow(call, user: str, url: str, until: float = 60.0) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + until
    while True:
        state = call(user, "get", url).get_json()
        if state["state"] in ("finished", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


@pytest.fixture(scope="module")
def rep1_file(call) -> dict:  # type: ignore[type-arg]
    response = call("rep1", "post", "/api/v1/reports/stale_leads/run",
                    json={"period": "2025-12-31"})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["state_url"] == f"/api/v1/jobs/{body['job_id']}"
    state = follow(call, "rep1", body["state_url"])
    assert state["state"] == "finished", state
    assert state["progress"] == 100 and state["file_id"]
    return {**state, "job_id": body["job_id"]}


def test_run_now_gives_a_job_that_ends_in_a_pdf(call, rep1_file):
    response = call("rep1", "get", rep1_file["pdf_url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    download = call("rep1", "get", rep1_file["pdf_url"] + "?download=1")
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_archive_is_scoped_to_the_recipient(call, rep1_file):
    mine = call("rep1", "get", "/api/v1/reports/").get_json()["result"]
    entry = next(f for f in mine if f["id"] == rep1_file["file_id"])
    assert entry["recipient"] == "rep1" and entry["report"] == "stale_leads"
    assert entry["period"] == "2025-12-31" and entry["trigger"] == "manual"
    assert entry["size"] > 1000 and len(entry["checksum"]) == 64 and entry["created_at"]
    assert "path" not in entry
    others = call("rep2", "get", "/api/v1/reports/").get_json()["result"]
    assert rep1_file["file_id"] not in {f["id"] for f in others}
    every = call("admin", "get", "/api/v1/reports/?report=stale_leads").get_json()["result"]
    assert rep1_file["file_id"] in {f["id"] for f in every}


def test_other_users_cannot_fetch_the_pdf_or_the_job(call, rep1_file):
    assert call("rep2", "get", rep1_file["pdf_url"]).status_code == 404
    assert call("sup1", "get", rep1_file["pdf_url"]).status_code == 404
    assert call("admin", "get", rep1_file["pdf_url"]).status_code == 200
    url = f"/api/v1/jobs/{rep1_file['job_id']}"
    assert call("rep2", "get", url).status_code == 404
    assert call("admin", "get", url).status_code == 200
    assert call("rep1", "get", "/api/v1/jobs/no-such-job").status_code == 404
    assert call("rep1", "get", "/api/v1/reports/999999/pdf").status_code == 404


@pytest.mark.parametrize(("user", "name", "body", "status", "field"), [
    ("fin1", "weekly_funnel", {}, 403, None),
    ("rep1", "finance_monthly", {}, 403, None),
    ("rep1", "no_such_report", {}, 404, None),
    ("rep1", "stale_leads", {"period": "last week"}, 422, "period"),
    ("rep1", "stale_leads", {"locale": "fr"}, 422, "locale"),  # the document lists zh, en
    ("rep1", "stale_leads", {"unit": "north"}, 400, "unit"),
])
def test_refused_runs(call, user, name, body, status, field):
    response = call(user, "post", f"/api/v1/reports/{name}/run", json=body)
    assert response.status_code == status, response.get_json()
    answer = response.get_json()
    assert answer["message"]
    if field:
        assert field in answer["errors"]


def test_without_a_login_the_api_answers_401(app):
    client = app.test_client()
    assert client.get("/api/v1/reports/").status_code == 401
    assert client.post("/api/v1/reports/stale_leads/run", json={}).status_code == 401


def login(app: Flask, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert client.post("/login/", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


def test_reports_page_lists_what_the_user_may_run_and_has(app, rep1_file):
    page = login(app, "rep1").get("/reports/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "长期未更新线索清单" in html and "立即生成" in html
    assert f"/api/v1/reports/{rep1_file['file_id']}/pdf" in html
    assert "财务月报" not in html  # finance's report is not the rep's to run
    assert login(app, "rep1").get("/report-jobs/").status_code == 403


def test_failed_jobs_retry_with_backoff_and_show_to_admins(app, monkeypatch):
    monkeypatch.setattr(tasks, "RETRY_INTERVALS", (0, 0))
    with app.app_context():
        queue = jobs()
        job_id = queue.enqueue_report(ReportRequest("stale_leads", 987654), requested_by=None)
    deadline = time.monotonic() + 30
    while (state := queue.state(job_id)).state != "failed" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state.state == "failed" and state.retries_left == 0
    assert "no active user #987654" in (state.error or "")
    admin = login(app, "admin")
    page = admin.get("/report-jobs/").get_data(as_text=True)
    assert job_id in page and "no active user #987654" in page
    assert admin.post(f"/report-jobs/retry/{job_id}").status_code == 302
    assert queue.state(job_id).state in ("queued", "started", "failed")


def test_cli_report_writes_the_pdf(app, tmp_path, monkeypatch):
    settings = app.config["LEADLOOM_SETTINGS"]
    monkeypatch.setenv("LEADLOOM_REPORTS_DIR", str(settings.reports_dir))
    out = tmp_path / "weekly.pdf"
    result = CliRunner().invoke(cli, [
        "--config", str(CONFIG), "--database-url", settings.database_url, "report",
        "weekly_funnel", "--as", "sup1", "--period", "2025-W52", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "2025-W52" in result.output and "sup1" in result.output
    unknown = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url",
                                       settings.database_url, "report", "nope"])
    assert unknown.exit_code == 1 and "no report 'nope'" in unknown.output
    assert Path(settings.reports_dir, "weekly_funnel", "2025-W52").is_dir()


def test_check_names_report_recipients_who_do_not_exist(app, tmp_path):
    settings = app.config["LEADLOOM_SETTINGS"]
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    replace_once(config / "reports" / "weekly_funnel.yaml", "roles: [supervisor, admin]",
                 "roles: [supervisor, admin]\n  users: [sup1, ghost]")
    result = CliRunner().invoke(cli, ["--config", str(config), "--database-url",
                                      settings.database_url, "check"])
    assert result.exit_code == 1, result.output
    assert "reports.weekly_funnel.recipients.users: no user 'ghost'" in result.output
    assert "'sup1'" not in result.output


def test_embedded_schedules_render_a_copy_per_recipient(app):
    """What ``leadloom serve`` runs without Redis: the schedule is due, the background
    thread fans it out and renders one copy per recipient (weekly: supervisors, admin)."""
    due = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Shanghai
    with app.app_context():
        queue = jobs()
        inline = queue.inline
        assert inline is not None
        registry = inline.runtime.env.registry
        inline.scheduler = Scheduler(inline.connection, registry,
                                     SlotClaims(inline.runtime.env.sessions),
                                     clock=lambda: due - dt.timedelta(minutes=1))
        for job in inline.scheduler.get_jobs():
            job.clock = lambda: due  # type: ignore[attr-defined]
        inline.scheduler.clock = lambda: due
        inline.wake()
        deadline = time.monotonic() + 60
        rows = []
        while time.monotonic() < deadline:
            rows = [r for r in _archive(app) if r["trigger"] == "schedule"
                    and r["report"] == "weekly_funnel"]
            if len(rows) == 3:
                break
            time.sleep(0.2)
        inline.scheduler.release()
        inline.scheduler = None
    assert sorted(r["recipient"] for r in rows) == ["admin", "sup1", "sup2"]
    assert {r["period"] for r in rows} == {"2026-W01"}
    page = login(app, "admin").get("/report-jobs/").get_data(as_text=True)
    schedules = page[page.index('id="schedules"'):page.index("</table>")]
    assert "首次触达 SLA 提醒与超时" in schedules and "每周一 09:00" in schedules
    assert "2026-01-05 09:00</td>" in schedules and "已完成" in schedules  # the weekly slot


def _archive(app: Flask) -> list[dict]:  # type: ignore[type-arg]
    st = state()
    table = st.models.metadata.tables["ll_report_file"]
    with st.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_demo_queues_a_sample_copy_of_each_scheduled_report_per_recipient(app, monkeypatch):
    queued: list[ReportRequest] = []
    monkeypatch.setattr(JobQueue, "enqueue_report",
                        lambda self, request, requested_by: queued.append(request) or "id")
    line = queue_sample_reports(app)
    by_report: dict[str, set[int | None]] = {}
    for request in queued:
        by_report.setdefault(request.report, set()).add(request.recipient_id)
        assert request.trigger == "schedule" and request.at.startswith("2026-01-01T09:00")
    # ORG: two supervisors, four reps, one finance, one marketing, one admin
    assert {k: len(v) for k, v in by_report.items()} == {
        "weekly_funnel": 3, "monthly_review": 4, "stale_leads": 6, "finance_monthly": 2}
    assert f"{len(queued)} copies queued" in line
