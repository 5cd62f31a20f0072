"""Reports in the web app: the Reports page (archive + "Run now" with live progress), the
admin page of failed jobs, RQ's dashboard for admins, and the REST endpoints
``GET /api/v1/reports/``, ``POST /api/v1/reports/<name>/run``,
``GET /api/v1/reports/<id>/pdf`` and ``GET /api/v1/jobs/<id>``.

Rendering and archiving are ``reporting``'s, queueing is ``jobs``'; this module parses,
checks who may do what, calls them and answers.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, current_app, flash, redirect, request, send_file
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect
from sqlalchemy.orm import sessionmaker

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.metadata.reports import ReportSchedule
from leadloom.model import Models
from leadloom.reporting import ReportError, ReportRequest, archive, is_admin, may_run, spec_of
from leadloom.reporting.errors import ReportForbidden, ReportNotFound
from leadloom.reporting.periods import parse_period
from leadloom.reporting.service import check_place
from leadloom.settings import Settings
from leadloom.web.actor import current_actor
from leadloom.web.csrf import hand_token_to_script
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale, lazy, local_time
from leadloom.web.language import translated
from leadloom.web.openapi_docs import DocumentedApi, checked, int_arg
from leadloom.web.report_menu import MENU, MENU_LABEL
from leadloom.web.report_menu import PERMISSIONS as PERMISSIONS
from leadloom.web.schedules import schedule_rows, schedule_text
from leadloom.web.serialize import with_offsets
from leadloom.web.state import state

if TYPE_CHECKING:
    from leadloom.jobs import JobQueue, Runtime

EXTENSION = "leadloom.jobs"


class ReportsState:
    """Kept in ``app.extensions["leadloom.jobs"]``: what jobs run on and the job queue.

    Both are made on first use: RQ and the embedded Redis take half a second to load, which
    a command that queues nothing (``demo-data``, ``user``) should not pay.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Any], models: Models) -> None:
        self.settings = settings
        self.sessions = sessions
        self.models = models
        self._lock = threading.Lock()

    @cached_property
    def runtime(self) -> Runtime:
        from leadloom.jobs import runtime_for  # RQ and the embedded Redis: on first use

        return runtime_for(self.settings, self.models, sessions=self.sessions)

    @cached_property
    def queue(self) -> JobQueue:
        with self._lock:  # two first requests at once: one queue
            if "queue" in self.__dict__:
                return self.__dict__["queue"]  # type: ignore[no-any-return]
            return _connect(self.settings, self.runtime)


def jobs() -> JobQueue:
    """The app's job queue (Redis, or the embedded one)."""
    return current_app.extensions[EXTENSION].queue


def add_reports(appbuilder: AppBuilder) -> None:
    """Register the Reports page, the admin jobs page and the report/job APIs, and the job
    queue (``app.extensions["leadloom.jobs"]``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    st = app.extensions["leadloom"]
    settings = app.config["LEADLOOM_SETTINGS"]
    reports = app.extensions[EXTENSION] = ReportsState(
        settings, sessionmaker(st.db.engine, expire_on_commit=False), st.models)
    if _EMBEDDED and not settings.redis_url:
        # a new config version goes live where embedded jobs already run: hand them its
        # runtime now, not at the first request that queues a job
        _ = reports.queue
    menu = next((m for m in st.registry.menus if m.code == MENU), None)
    label, icon = (menu.label, menu.icon) if menu else (MENU_LABEL, "fa-file-pdf")
    appbuilder.add_view(ReportsView, "Reports", label=lazy(Label("报表中心", "Reports")),
                        icon="fa-file-pdf", category=MENU, category_label=lazy(label),
                        category_icon=icon)
    appbuilder.add_view(ReportJobsView, "ReportJobs", label=lazy(Label("后台任务", "Jobs")),
                        icon="fa-tasks", category=MENU)
    appbuilder.add_api(ReportsApi)
    appbuilder.add_api(JobsApi)
    if settings.redis_url:
        _mount_rq_dashboard(app, appbuilder, settings.redis_url)


#: Embedded job queues by database and reports folder: an app swapped in for a newly
#: published config version keeps the process's queue, its jobs and their states.
_EMBEDDED: dict[tuple[str, str], JobQueue] = {}


def _connect(settings: Settings, runtime: Runtime) -> JobQueue:
    """The Redis queue, or this process's embedded one for the database and reports folder."""
    from leadloom.jobs import JobQueue  # RQ and the embedded Redis: on first use

    if settings.redis_url:
        return JobQueue.connect(settings, runtime)
    key = (settings.database_url, str(runtime.env.reports_dir))
    queue = _EMBEDDED.get(key)
    if queue is None or queue.inline is None:
        queue = _EMBEDDED[key] = JobQueue.connect(settings, runtime)
    else:
        queue.inline.set_runtime(runtime)
    return queue


def start_jobs(app: Flask) -> None:
    """For ``leadloom serve``: without Redis, run jobs and the config's schedules (lead
    rules and reports) in a background thread of this process (with Redis,
    ``leadloom worker`` and ``leadloom scheduler`` do)."""
    queue = app.extensions[EXTENSION].queue
    if queue.inline is not None:
        queue.inline.start(schedules=True)


def _mount_rq_dashboard(app: Flask, appbuilder: AppBuilder, redis_url: str) -> None:
    """RQ's dashboard at ``/rq/``, for admins only."""
    import rq_dashboard

    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", redis_url)
    rq_dashboard.web.setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/rq")

    @app.before_request
    def _admins_only() -> Any:
        if request.blueprint != rq_dashboard.blueprint.name:
            return None
        if not is_admin(state().registry, current_actor()):
            abort(403)
        if request.method == "GET" and request.endpoint == "rq_dashboard.requeue_all":
            abort(405)  # it acts, so only by POST (CSRF-checked); its page posts anyway
        return None

    @app.after_request
    def _token_for_its_scripts(response: Response) -> Response:
        if request.blueprint == rq_dashboard.blueprint.name and request.method == "GET":
            hand_token_to_script(response, path="/rq/")
        return response

    appbuilder.add_link("RQ", href="/rq/", label=lazy(Label("RQ 任务面板", "RQ dashboard")),
                        icon="fa-tachometer-alt", category=MENU)


# ---- helpers shared by the page and the API ------------------------------------------
def _run(name: str, data: dict[str, Any]) -> str:
    """Queue a copy of report ``name`` for the current user; returns the job id.

    :raises UnknownReport, ReportForbidden, ReportError: (404, 403, 422).
    """
    st = state()
    actor = current_actor()
    report = spec_of(st.registry, name)
    if not may_run(st.registry, report, actor):
        raise ReportForbidden(Message("your roles may not run report '%(name)s'",
                                      name=report.label))
    values = {k: (str(data[k]).strip() or None) if data.get(k) is not None else None
              for k in ("period", "unit", "team", "locale")}
    if values["period"]:
        parse_period(values["period"])
    if values["locale"] not in (None, "zh", "en"):
        raise ReportError(Message("unknown language"), {"locale": [Message("use zh or en")]})
    check_place(st.registry, values["unit"], values["team"])
    request_ = ReportRequest(report.name, actor.user_id, trigger="manual",
                             requested_by_id=actor.user_id, **values)
    return jobs().enqueue_report(request_, requested_by=actor.user_id)


def _archived_file(pk: int) -> Response:
    st = state()
    actor = current_actor()
    found = archive.get_visible(st.db.session, st.models, actor, pk,
                                admin=is_admin(st.registry, actor))
    path = found.file(current_app.extensions[EXTENSION].runtime.env.reports_dir)
    if not path.is_file():
        raise ReportNotFound(Message("the file of report #%(id)s is missing", id=pk))
    return send_file(path, mimetype="application/pdf", download_name=found.filename,
                     as_attachment=request.args.get("download") == "1")


class ReportsView(BaseView):
    """The Reports page: what I may run, and the PDFs made for me."""

    route_base = "/reports"
    default_view = "index"
    class_permission_name = "Reports"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        locale = current_locale()
        runnable = [{"name": r.name, "title": r.label.get(locale), "period": r.parameters.period,
                     "schedule": _schedule(r.schedule, st.registry.app.timezone)}
                    for r in st.registry.reports if may_run(st.registry, r, actor)]
        files = archive.visible(st.db.session, st.models, actor,
                                admin=is_admin(st.registry, actor))
        rows = [{"file": f, "created": local_time(f.created_at).strftime("%Y-%m-%d %H:%M")}
                for f in files]
        return self.render_template("leadloom/reports.html", runnable=runnable, rows=rows,
                                    embedded=jobs().embedded)


def _schedule(schedule: ReportSchedule | None, app_zone: str) -> str | None:
    """"每周一 09:00", with the time zone when it is not the app's."""
    if schedule is None:
        return None
    text = schedule_text(schedule.cron)
    return text if schedule.timezone == app_zone else f"{text} ({schedule.timezone})"


class ReportJobsView(BaseView):
    """Admins: when each scheduled rule last ran and runs next, failed jobs (with the
    error) and a button to retry each."""

    route_base = "/report-jobs"
    default_view = "index"
    class_permission_name = "ReportJobs"
    method_permission_name = {"index": "read", "retry": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        from leadloom.jobs import SlotClaims  # RQ and the embedded Redis: on first use
        from leadloom.jobs.scheduler import utc_now

        queue = jobs()
        runtime = current_app.extensions[EXTENSION].runtime
        rows = schedule_rows(state().registry, SlotClaims(runtime.env.sessions),
                             utc_now())
        return self.render_template("leadloom/report_jobs.html", failed=queue.failed(),
                                    embedded=queue.embedded, queued=queue.queue.count,
                                    schedules=rows)

    @expose("/retry/<job_id>", methods=["POST"])
    @has_access
    def retry(self, job_id: str) -> Any:
        done = jobs().retry(job_id)
        told = Message("job %(id)s queued again", id=job_id) if done else Message(
            "job %(id)s is not a failed job", id=job_id)
        flash(translated(told), "info" if done else "warning")
        return redirect("/report-jobs/")


class ReportsApi(DocumentedApi):
    """``/api/v1/reports/``: the archive (scoped), run a report, download a PDF."""

    resource_name = "reports"
    class_permission_name = "Reports"
    method_permission_name = {"archived": "read", "run": "read", "pdf": "read"}
    base_permissions = ["can_read", "menu_access"]
    allow_browser_login = True
    openapi_spec_tag = "Reports"

    @expose("/", methods=["GET"])
    @protect()
    @answers_record_errors
    def archived(self) -> Response:
        """The PDFs the caller may see (``?report=NAME&limit=N``), newest first.
        ---
        get:
          summary: The report PDFs I may see, newest first
          parameters:
          - {in: query, name: report, required: false, schema: {type: string}}
          - in: query
            name: limit
            required: false
            schema: {type: integer, minimum: 1, maximum: 1000}
          responses:
            200:
              description: Archived reports
              content: {application/json: {schema: {$ref: '#/components/schemas/ReportFileList'}}}
        """
        st = state()
        actor = current_actor()
        limit = int_arg("limit", 100, 1, 1000)
        files = archive.visible(st.db.session, st.models, actor,
                                admin=is_admin(st.registry, actor),
                                report=request.args.get("report"), limit=limit)
        return self.response(200, count=len(files), result=[
            {**with_offsets(f.as_json(), ["created_at"]),
             "pdf_url": f"/api/v1/reports/{f.id}/pdf"} for f in files])

    @expose("/<name>/run", methods=["POST"])
    @protect()
    @answers_record_errors
    def run(self, name: str) -> Response:
        """Queue a copy for the caller: ``{"period", "unit", "team", "locale"}``, all
        optional. Answers 202 with the job id; poll ``/api/v1/jobs/<id>``.
        ---
        post:
          summary: Queue a copy of a report for me
          parameters:
          - {in: path, name: name, required: true, schema: {type: string}}
          requestBody:
            required: false
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ReportRun'}
          responses:
            202:
              description: Queued; poll its state_url
              content: {application/json: {schema: {$ref: '#/components/schemas/Queued'}}}
        """
        data = request.get_json(silent=True)
        job_id = _run(name, checked("ReportRun", {} if data is None else data))
        return self.response(202, job_id=job_id, state_url=f"/api/v1/jobs/{job_id}")

    @expose("/<id:pk>/pdf", methods=["GET"])
    @protect()
    @answers_record_errors
    def pdf(self, pk: int) -> Response:
        """The PDF (``?download=1`` for an attachment).
        ---
        get:
          summary: The PDF of an archived report I may see
          parameters:
          - pk
          - in: query
            name: download
            required: false
            schema: {type: string}
            description: '1: as an attachment'
          responses:
            200:
              description: The PDF
              content: {application/pdf: {schema: {type: string, format: binary}}}
        """
        return _archived_file(pk)


class JobsApi(DocumentedApi):
    """``GET /api/v1/jobs/<id>``: state and progress of a job the caller queued."""

    resource_name = "jobs"
    class_permission_name = "Reports"
    method_permission_name = {"job": "read"}
    base_permissions = ["can_read", "menu_access"]
    allow_browser_login = True
    openapi_spec_tag = "Reports"

    @expose("/<job_id>", methods=["GET"])
    @protect()
    def job(self, job_id: str) -> Response:
        """State and progress of a job I queued.
        ---
        get:
          summary: State and progress of a report job I queued
          parameters:
          - {in: path, name: job_id, required: true, schema: {type: string}}
          responses:
            200:
              description: The job
              content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}
        """
        st = state()
        actor = current_actor()
        found = jobs().state(job_id)
        admin = is_admin(st.registry, actor)
        if found is None or not (admin or found.requested_by == actor.user_id):
            return self.response(404, message=f"no job '{job_id}'", errors={})
        body = with_offsets(found.as_json(), ["enqueued_at"])
        if body["error"] and not admin:  # details (SQL, paths) are for admins' eyes
            body["error"] = "the report could not be made; an admin can see why"
        if found.file_id:
            body["pdf_url"] = f"/api/v1/reports/{found.file_id}/pdf"
        return self.response(200, **body)
