"""Commands that serve the web app: ``serve`` and ``demo``."""

from __future__ import annotations

import dataclasses
import logging
import secrets

import click
from flask import Flask
from werkzeug.serving import run_simple

from leadloom.cli.building import built
from leadloom.cli.options import settings_from
from leadloom.demo import DEMO_USERS, generate_demo
from leadloom.demo.reports import queue_sample_reports
from leadloom.demo.workdays import as_of_now
from leadloom.records.leads import clock as lead_clock
from leadloom.settings import Settings
from leadloom.web import LiveApp, create_app
from leadloom.web.reports import start_jobs


def _app(settings: Settings, *, demo: bool = False, upgrade: bool = True,
         pages: bool = True) -> Flask:
    """The app; ``pages`` False for a command that serves none (its screens' permissions
    are left to the next web start, which syncs them)."""
    return built(create_app, settings, demo=demo, upgrade=upgrade, sync_permissions=pages)


def _serve(settings: Settings, host: str, port: int, *, demo: bool = False) -> None:
    """Serve the live app: a newly published config version is picked up without restart."""
    live = LiveApp(settings, build=lambda s, upgrade: _app(s, demo=demo, upgrade=upgrade))
    _log_to_stderr("leadloom.jobs")  # each schedule slot run says so, and where
    start_jobs(live.app)  # without Redis: report jobs and schedules in this process
    run_simple(host, port, live, threaded=True)


def _log_to_stderr(name: str) -> None:
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Run the web app (UI + REST) on the active config version, following new ones."""
    _serve(settings_from(ctx), host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--leads", default=2000, show_default=True, type=click.IntRange(min=0))
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, leads: int) -> None:
    """Everything for a first look: migrate, demo data ending now, and the web app."""
    settings = settings_from(ctx)
    if not settings.secret_key:
        settings = dataclasses.replace(settings, secret_key=secrets.token_urlsafe(48))
    app = _app(settings, demo=True)
    password = "demo1234"
    with app.app_context():
        click.echo(generate_demo(app, leads=leads, seed=42, password=password,
                                 as_of=as_of_now(lead_clock.now())))
    click.echo(queue_sample_reports(app))
    click.echo(f"\nleadloom is running on http://{host}:{port}/")
    click.echo(f"Demo logins (password '{password}'): " + ", ".join(u.username for u in DEMO_USERS))
    _serve(settings, host, port, demo=True)


COMMANDS = [serve, demo]
