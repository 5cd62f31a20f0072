"""What ``publish``, ``migrate`` and ``rollback`` print after the version: the open leads
recomputed under the new rules, with progress, and the summary for the publisher."""

from __future__ import annotations

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.access import Actor
from leadloom.metadata import Registry
from leadloom.model import build_models
from leadloom.records import Context
from leadloom.records.leads.recompute import RUNNING, UNCHANGED, Run, recompute, run_of


def recompute_after(engine: sa.Engine, registry: Registry) -> None:
    """Recompute the open leads for the version just published (in batches; another
    process may share the work) and print how it went."""
    if registry.lead_rules is None:
        return

    def active() -> bool:
        with engine.connect() as conn:
            return lifecycle.latest_number(conn) == registry.version

    def shown(run: Run) -> None:
        if run.state == RUNNING:
            click.echo(f"recomputing open leads: {run.checked}/{run.total} ({run.percent}%)")

    with Session(engine) as session:
        models = build_models(registry)
        recompute(Context(Actor.system_actor(), session, models, channel="job"),
                  still_active=active, progress=shown)
        run = run_of(session, models, registry.version)
    if run is None or run.state == UNCHANGED:
        click.echo("derived values: the rules they come from did not change; nothing "
                   "recomputed")
    elif run.state == RUNNING:
        click.echo("recompute: another process is on it (see the version's page)")
    else:
        click.echo(f"{run.summary()} ({run.state})")
