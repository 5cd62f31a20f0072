"""Commands about the config and the schema: ``check`` and ``migrate``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from leadloom.cli.options import settings_from
from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.model import DestructiveChange, SchemaError, build_models, make_plan, migrate
from leadloom.model.readiness import required_without_default


@click.command()
@click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
              help="Config folder to check (default: the group's --config).")
@click.pass_context
def check(ctx: click.Context, config_dir: Path | None) -> None:
    """Validate the whole config; print every problem as file:line: path: message."""
    settings = settings_from(ctx)
    folder = config_dir or settings.config_dir
    try:
        registry = load_registry(folder)
    except ConfigInvalid as invalid:
        for error in invalid.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(invalid.errors)} problem(s) in {folder}; nothing was changed.",
                   err=True)
        ctx.exit(1)
    problems = _database_problems(settings.database_url, registry, folder)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        ctx.exit(1)
    fields = sum(len(e.fields) for e in registry.entities)
    click.echo(f"config OK: {len(registry.entities)} entities, {fields} fields, "
               f"{len(registry.roles)} roles, {len(registry.units)} units")


def _database_problems(url: str, registry: object, folder: Path) -> list[str]:
    """Problems only the live data can show, if the database exists yet."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return []
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        return [f"database URL '{url}' cannot be used: {exc}"]
    try:
        with engine.connect() as conn:
            return [str(e) for e in required_without_default(conn, build_models(registry),
                                                             folder)]
    except sa.exc.OperationalError:
        return []  # no database yet: nothing that exists can break
    finally:
        engine.dispose()


@click.command(name="migrate")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.pass_context
def migrate_command(ctx: click.Context, dry_run: bool) -> None:
    """Create or evolve the database schema to match the config, never losing data."""
    settings = settings_from(ctx)
    settings.ensure_local_dirs()
    try:
        registry = load_registry(settings.config_dir)
    except ConfigInvalid as invalid:
        click.echo(str(invalid), err=True)
        ctx.exit(1)
    models = build_models(registry)
    engine = sa.create_engine(settings.database_url)
    try:
        if dry_run:
            with engine.connect() as conn:
                plan = make_plan(conn, models)
            for line in plan.lines():
                click.echo(line)
            return
        plan = migrate(engine, models)
    except DestructiveChange as refused:
        click.echo(str(refused), err=True)
        ctx.exit(1)
    except SchemaError as error:
        click.echo(str(error), err=True)
        ctx.exit(1)
    finally:
        engine.dispose()
    for line in plan.lines():
        click.echo(line)
    click.echo(f"applied {len(plan.steps)} step(s)" if plan else "schema is up to date")


COMMANDS = [check, migrate_command]
