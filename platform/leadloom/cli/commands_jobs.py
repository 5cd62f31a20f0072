"""Commands for background work and reports: ``worker``, ``scheduler`` and ``report``."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import threading
from pathlib import Path

import click
from redis import Redis
from rq.cron import CronJob

from leadloom.cli.options import settings_from
from leadloom.jobs import ReportWorker, Runtime, Scheduler, SlotClaims, build_runtime
from leadloom.jobs.runtime import refreshed
from leadloom.metadata import ConfigInvalid, Registry
from leadloom.model import DestructiveChange
from leadloom.reporting import MissingFont, ReportError, ReportRequest, run_report
from leadloom.reporting.audience import recipient_named
from leadloom.reporting.fonts import require_cjk_font
from leadloom.settings import Settings


def _redis_url(settings: Settings, what: str) -> str:
    if not settings.redis_url:
        raise click.ClickException(
            f"set LEADLOOM_REDIS_URL to run a {what}: without Redis, `leadloom serve` runs "
            "report jobs and schedules in-process")
    return settings.redis_url


@click.command()
@click.option("--queue", "queues", multiple=True, default=("default",), show_default=True)
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--job-monitoring-interval", default=10, show_default=True,
              type=click.IntRange(1, 600), help="Seconds between checks of a running job.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
@click.pass_context
def worker(ctx: click.Context, queues: tuple[str, ...], burst: bool,
           job_monitoring_interval: int, name: str | None) -> None:
    """Run an RQ worker for report jobs, WeasyPrint and fonts loaded before it forks.

    Needs LEADLOOM_REDIS_URL. Refuses to start without a CJK font.
    """
    settings = settings_from(ctx)
    connection = Redis.from_url(_redis_url(settings, "worker"))
    try:
        process = ReportWorker(list(queues), connection=connection, settings=settings,
                               job_monitoring_interval=job_monitoring_interval, name=name)
    except (MissingFont, ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error
    process.work(with_scheduler=True, burst=burst, logging_level="INFO")


@click.command()
@click.option("--poll", default=5.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Longest sleep between rounds, in seconds.")
@click.pass_context
def scheduler(ctx: click.Context, poll: float) -> None:
    """Queue the config's schedules on Redis: the lead rules' periodic jobs (schedule: in
    config/leads.yaml) and the scheduled reports (config/reports/*.yaml).

    Only one scheduler is active: a second one waits and takes over if the first stops.
    Each slot is claimed in the database, so it runs once; a slot missed while no
    scheduler ran is queued when one starts (the latest one of each rule).
    """
    settings = settings_from(ctx)
    connection = Redis.from_url(_redis_url(settings, "scheduler"))
    runtime = _runtime(settings)
    process = Scheduler(connection, runtime.env.registry, SlotClaims(runtime.env.sessions))
    for job in process.get_jobs():
        click.echo(_describe(job))
    if not process.get_jobs():
        click.echo("nothing has a schedule; waiting anyway (publish one to start)")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"scheduler {process.name} running (a second scheduler waits)")
    state = {"runtime": runtime}

    def reload() -> Registry | None:
        fresh = refreshed(state["runtime"])
        if fresh is state["runtime"]:
            return None
        state["runtime"] = fresh
        return fresh.env.registry

    process.run(stop, poll=poll, reload=reload)


@click.command()
@click.argument("name")
@click.option("--unit", default=None, help="Only this business unit.")
@click.option("--team", default=None, help="Only this team.")
@click.option("--as", "as_user", default=None,
              help="Render the copy USER would get (default: every record).")
@click.option("--period", default=None, help="2025-W52, 2025-12 or 2025-12-31 "
              "(default: the last full week or month, or today).")
@click.option("--locale", type=click.Choice(["zh", "en"]), default=None)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the PDF here.")
@click.pass_context
def report(ctx: click.Context, name: str, unit: str | None, team: str | None,
           as_user: str | None, period: str | None, locale: str | None,
           out: Path | None) -> None:
    """Render report NAME (config/reports/NAME.yaml) now, archive it and print where it is."""
    settings = settings_from(ctx)
    try:
        require_cjk_font()
        runtime = _runtime(settings)
        with runtime.env.sessions() as session:
            recipient = recipient_named(session, runtime.models, as_user) if as_user else None
        request = ReportRequest(name, recipient.user_id if recipient else None, period=period,
                                unit=unit, team=team, locale=locale, trigger="cli",
                                at=dt.datetime.now(dt.UTC).isoformat())
        archived = run_report(runtime.env, request)
    except (MissingFont, ReportError) as error:
        raise click.ClickException(str(error)) from error
    path = archived.file(runtime.env.reports_dir)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    click.echo(f"{archived.title} · {archived.period} · {archived.scope}: {archived.pages} "
               f"page(s), {archived.size} bytes, sha256 {archived.checksum[:12]}…")
    click.echo(f"archived as #{archived.id}: {path}" + (f"\nwritten to {out}" if out else ""))


def _describe(job: CronJob) -> str:
    zone = getattr(job, "zone", dt.UTC)
    due = job.next_enqueue_time
    when = f"{due.astimezone(zone):%Y-%m-%d %H:%M} {zone}" if due else "never"
    return f"{job.name}: cron '{job.cron}' in {zone}, next {when}"


def _runtime(settings: Settings) -> Runtime:
    try:
        return build_runtime(settings)
    except (ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error


COMMANDS = [worker, scheduler, report]
