"""Commands that run things: ``serve``, ``demo``, ``demo-data`` and ``user``."""

from __future__ import annotations

import dataclasses
import logging
import secrets

import click
from flask import Flask
from werkzeug.serving import run_simple

from leadloom.cli.options import settings_from
from leadloom.demo import DEMO_USERS, generate_demo
from leadloom.demo.as_of import check_as_of
from leadloom.demo.calibration import calibration
from leadloom.demo.manifest import manifest, write_manifest
from leadloom.demo.reports import queue_sample_reports
from leadloom.demo.workdays import AS_OF, as_of_now, parse_as_of
from leadloom.metadata import ConfigInvalid
from leadloom.model import DestructiveChange
from leadloom.records import RecordError, membership
from leadloom.records.leads import clock as lead_clock
from leadloom.settings import Settings
from leadloom.web import LiveApp, create_app
from leadloom.web.app import MissingSecretKey
from leadloom.web.reports import start_jobs
from leadloom.web.state import state
from leadloom.web.users import add_user


class SetupRefused(click.ClickException):
    """The environment is not fit to run (e.g. no or a weak secret key): exit 2."""

    exit_code = 2


def _app(settings: Settings, *, demo: bool = False, upgrade: bool = True,
         pages: bool = True) -> Flask:
    """The app; ``pages`` False for a command that serves none (its screens' permissions
    are left to the next web start, which syncs them)."""
    try:
        return create_app(settings, demo=demo, upgrade=upgrade, sync_permissions=pages)
    except (ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error
    except MissingSecretKey as error:
        raise SetupRefused(str(error)) from error


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


@click.command(name="demo-data")
@click.option("--leads", default=1000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--password", default="demo1234", show_default=True,
              help="Password of every demo user.")
@click.option("--as-of", "as_of", default=None,
              help="The end of the simulated period (Shanghai time, YYYY-MM-DD[THH:MM]; "
                   f"default {AS_OF:%Y-%m-%d}). With --check on existing data: the as-of "
                   "they were made with (else read from --manifest, or estimated).")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False),
              help="Write row counts and checksums of every demo table to this file.")
@click.option("--check", is_flag=True,
              help="Print each calibration target, the measured value and ok/off.")
@click.pass_context
def demo_data(ctx: click.Context, leads: int, seed: int, password: str, as_of: str | None,
              manifest_path: str | None, check: bool) -> None:
    """Create the demo organisation and N realistic leads (same seed and as-of, same data)."""
    try:
        given = parse_as_of(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(f"not a date: {as_of!r} (use YYYY-MM-DD)",
                                 param_hint="--as-of") from exc
    settings = settings_from(ctx)
    app = _app(settings, demo=not settings.secret_key, pages=False)
    with app.app_context():
        summary = generate_demo(app, leads=leads, seed=seed, password=password,
                                as_of=given or AS_OF)
        click.echo(summary)
        session, models = state().db.session, state().models
        end = check_as_of(given, not summary.existing, manifest_path, session, models)
        if manifest_path:
            write_manifest(manifest_path, {"seed": seed, "as_of": end.moment.isoformat()},
                           manifest(session, models))
        if check:
            click.echo(str(end))
            results = calibration(session, models, end.moment)
            for result in results:
                click.echo(str(result))
            if not all(r.ok for r in results):
                ctx.exit(1)


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


@click.command(name="user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Role code; repeatable.")
@click.option("--team", default=None, help="Team code (its unit follows).")
@click.option("--unit", default=None, help="Business unit, for users without a team.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default=None, help="Display name, e.g. 张伟.")
@click.option("--email", default=None)
@click.pass_context
def user(ctx: click.Context, username: str, roles: tuple[str, ...], team: str | None,
         unit: str | None, password: str, name: str | None, email: str | None) -> None:
    """Create a user (or update their roles, team and unit)."""
    settings = settings_from(ctx)
    app = _app(settings, demo=not settings.secret_key, pages=False)
    with app.app_context():
        st = state()
        existed = st.appbuilder.sm.find_user(username=username) is not None
        try:
            account = add_user(username, roles=roles, password=password, team=team, unit=unit,
                               name=name, email=email)
        except RecordError as error:
            for field, messages in error.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            raise click.ClickException(error.message) from error
        # read while the session is open: the account is detached once the context ends
        place = membership(st.db.session, st.models, account.id)
        click.echo(f"user {account.username} (#{account.id}) "
                   f"{'updated' if existed else 'created'}: roles {', '.join(roles)}; "
                   f"team {place.team or '-'}; unit {place.unit or '-'}")


COMMANDS = [serve, demo_data, demo, user]
