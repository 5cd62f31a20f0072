"""``leadloom tick``: the lead rules' periodic work (reclaim, SLA checks, stale alerts,
task reminders, the daily digest), now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.cli.options import settings_from
from leadloom.lifecycle import active_registry
from leadloom.metadata import ConfigInvalid, Registry
from leadloom.model import DestructiveChange, build_models, create_engine
from leadloom.records import Context
from leadloom.records.leads import clock
from leadloom.records.leads.periodic import JOBS
from leadloom.records.leads.periodic import tick as run_jobs
from leadloom.records.leads.reclaim_scope import would_reclaim
from leadloom.records.leads.recompute import recompute


def _moment(text: str | None, timezone: str) -> dt.datetime:
    """``--now`` (local time, or with an offset) as naive UTC; default: the current time
    (``LEADLOOM_CLOCK``'s, when it is set)."""
    if not text:
        return clock.now()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a time like 2024-10-08T08:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


@click.command()
@click.option("--now", "now_text", default=None,
              help="Act as if it were this local time (e.g. 2024-10-08T08:30).")
@click.option("--only", "only", multiple=True, type=click.Choice(sorted(JOBS)),
              help="Run only these jobs (repeatable).")
@click.pass_context
def tick(ctx: click.Context, now_text: str | None, only: tuple[str, ...]) -> None:
    """Run the lead rules' periodic jobs once: reclaim idle leads to the pool, SLA
    warnings and breaches, stale-lead alerts, task reminders and the daily digest.
    Safe to run as often as you like: no message goes out twice."""
    settings = settings_from(ctx)
    engine = create_engine(settings.database_url)
    try:
        registry = active_registry(engine, settings.config_dir)
    except (ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error
    if registry.lead_rules is None:
        click.echo("no lead rules (config/leads.yaml): nothing to do")
        return
    moment = _moment(now_text, registry.app.timezone)
    with Session(engine) as session:
        job = Context(Actor.system_actor(), session, build_models(registry), channel="job")
        run = recompute(job)
        if run is not None:
            click.echo(f"rules of config v{run.version}: {run.summary()}")
        for name, count in run_jobs(job, moment, only).items():
            click.echo(f"{name}: {count}")
    engine.dispose()


def reclaim_dry_run(engine: sa.Engine, registry: Registry, now_text: str | None) -> list[str]:
    """What a reclaim under ``registry``'s rules would do to the leads stored now: one line
    per unit and a total. Reads only (the session is rolled back).

    :raises click.ClickException: no lead rules, or the database lacks a lead column the
        rules read (migrate first).
    """
    if registry.lead_rules is None:
        raise click.ClickException("no lead rules (config/leads.yaml): nothing to reclaim")
    models = build_models(registry)
    lead = models.cls("lead").__table__
    with engine.connect() as conn:
        stored = {c["name"] for c in sa.inspect(conn).get_columns(lead.name)}
    missing = sorted(c.name for c in lead.columns if c.name not in stored)
    if missing:
        raise click.ClickException(f"the database has no column {', '.join(missing)} yet: "
                                   "run 'leadloom migrate' first")
    moment = _moment(now_text, registry.app.timezone)
    with Session(engine) as session:
        job = Context(Actor.system_actor(), session, models, channel="check")
        counts = would_reclaim(job, moment)
        session.rollback()
    at = _local(moment, registry.app.timezone)
    lines = [f"reclaim dry run at {at}: would reclaim {_leads(n)} of unit {unit or '(none)'}"
             for unit, n in sorted(counts.items(), key=lambda item: item[0] or "")]
    return [*lines, f"reclaim dry run at {at}: would reclaim {_leads(counts.total())} "
                    "in all; nothing was changed"]


def _leads(n: int) -> str:
    return f"{n} lead" if n == 1 else f"{n} leads"


def _local(moment: dt.datetime, timezone: str) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).strftime(
        "%Y-%m-%d %H:%M")


COMMANDS = [tick]
