"""Commands about the config and the schema: ``check`` and ``migrate``."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa

from leadloom import lifecycle
from leadloom.cli.commands_leads import reclaim_dry_run
from leadloom.cli.options import settings_from
from leadloom.cli.recomputing import recompute_after
from leadloom.metadata import ConfigInvalid, Registry, load_registry
from leadloom.metadata.files import ConfigFiles, read_folder
from leadloom.metadata.jsonschema import SCHEMA_FOLDER, write_json_schemas
from leadloom.model import SchemaError, build_models, create_engine
from leadloom.model.readiness import required_without_default
from leadloom.reporting.audience import unknown_users


@click.command()
@click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
              help="Config folder to check (default: the group's --config).")
@click.option("--reclaim", is_flag=True,
              help="Also count, per unit, the leads the nightly reclaim would return under "
                   "this config's rules (a dry run: nothing is written).")
@click.option("--now", "now_text", default=None,
              help="With --reclaim: as if it were this local time (e.g. 2024-10-08T02:00).")
@click.pass_context
def check(ctx: click.Context, config_dir: Path | None, reclaim: bool,
          now_text: str | None) -> None:
    """Validate the whole config and, when the database is there, plan the schema change
    against the active version and the stored data, as publish would; print every problem
    as file:line: path: message. With --reclaim: "would reclaim N leads" per unit."""
    settings = settings_from(ctx)
    folder = config_dir or settings.config_dir
    files = read_folder(folder)
    try:
        registry = load_registry(files)
    except ConfigInvalid as invalid:
        _fail(ctx, [str(e) for e in invalid.errors],
              f"{len(invalid.errors)} problem(s) in {folder}")
    problems, unplanned = _database_problems(settings.database_url, files, registry, folder)
    if problems:
        _fail(ctx, problems, f"{len(problems)} problem(s) in {folder}")
    fields = sum(len(e.fields) for e in registry.entities)
    click.echo(f"config OK: {len(registry.entities)} entities, {fields} fields, "
               f"{len(registry.roles)} roles, {len(registry.units)} units")
    if unplanned:
        click.echo(f"not planned against stored data ({unplanned}): publish may still refuse "
                   "a change the data does not fit")
    if reclaim:
        if unplanned:
            _fail(ctx, [f"reclaim dry run: {unplanned}"], "nothing to count")
        engine = create_engine(settings.database_url, dry_run=True)
        try:
            for line in reclaim_dry_run(engine, registry, now_text):
                click.echo(line)
        finally:
            engine.dispose()


def _database_problems(url: str, files: ConfigFiles, registry: Registry,
                       folder: Path) -> tuple[list[str], str]:
    """What publish would refuse, and what only the live data can show; or why the
    database could not be asked (no problems then)."""
    shown = _shown(url)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return [], f"no database at {shown}"
    try:
        engine = create_engine(url, dry_run=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        return [f"database URL '{shown}' cannot be used: {exc}"], ""
    try:
        with engine.connect() as conn:
            found = [str(e) for e in required_without_default(conn, build_models(registry),
                                                               folder)]
            found += unknown_users(conn, registry)
        return [str(e) for e in lifecycle.plan_problems(engine, files)] + found, ""
    except sa.exc.OperationalError:
        return [], f"database {shown} not reachable"
    except sa.exc.SQLAlchemyError as refused:  # reachable, but the dry run failed
        return [_database_error(url, refused)], ""
    finally:
        engine.dispose()


def _database_error(url: str, error: sa.exc.SQLAlchemyError) -> str:
    """One line for a database error: the URL without password, the driver's first line."""
    original = getattr(error, "orig", None) or error
    return f"database {_shown(url)}: {str(original).splitlines()[0]}"


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


@click.command(name="migrate")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--allow-destructive", is_flag=True,
              help="Also drop retired columns and tables (their values are deleted).")
@click.pass_context
def migrate_command(ctx: click.Context, dry_run: bool, allow_destructive: bool) -> None:
    """Bring the database to the config folder (published as a new version)."""
    _publish(ctx, "leadloom migrate", dry_run=dry_run, allow_destructive=allow_destructive)


@click.command()
@click.option("-m", "--message", default="", help="Why this change (kept with the version).")
@click.option("--dry-run", is_flag=True, help="Validate and print the plan; change nothing.")
@click.pass_context
def publish(ctx: click.Context, message: str, dry_run: bool) -> None:
    """Validate the config folder, change the schema and make it the active version."""
    _publish(ctx, message or "published from the command line", dry_run=dry_run)


def _publish(ctx: click.Context, message: str, *, dry_run: bool = False,
             allow_destructive: bool = False) -> None:
    settings = settings_from(ctx)
    settings.ensure_local_dirs()
    engine = create_engine(settings.database_url)
    try:
        done = lifecycle.publish(engine, read_folder(settings.config_dir), author=author(),
                                 message=message, dry_run=dry_run,
                                 allow_destructive=allow_destructive)
        for line in done.lines():
            click.echo(line)
        if not dry_run:
            click.echo(f"published version {done.version}")
            recompute_after(engine, done.registry)
    except ConfigInvalid as invalid:
        _fail(ctx, [str(e) for e in invalid.errors], "the config has problems")
    except lifecycle.PublishRefused as refused:
        _fail(ctx, [str(e) for e in refused.errors], "the schema change was refused")
    except SchemaError as refused:
        _fail(ctx, [str(refused)], "the schema change was refused")
    except lifecycle.NothingToPublish as same:
        click.echo(f"nothing to publish: {same}")
        return
    except sa.exc.OperationalError as down:
        _fail(ctx, [_database_error(settings.database_url, down)],
              "the database could not be used")
    finally:
        engine.dispose()
    if dry_run:
        click.echo("dry run: nothing was changed")


def _fail(ctx: click.Context, lines: list[str], summary: str) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    click.echo(f"{summary}; nothing was changed.", err=True)
    ctx.exit(1)


@click.command()
@click.pass_context
def versions(ctx: click.Context) -> None:
    """List the published config versions, newest (active) first."""
    engine = create_engine(settings_from(ctx).database_url)
    try:
        with engine.connect() as conn:
            found = lifecycle.history(conn)
    finally:
        engine.dispose()
    if not found:
        click.echo("no version published yet: run 'leadloom publish'")
    for i, version in enumerate(found):
        active = "  (active)" if i == 0 else ""
        click.echo(f"{version.number:>4}  {version.created_at:%Y-%m-%d %H:%M} UTC  "
                   f"{version.author:<12} {version.message}{active}")


@click.command()
@click.argument("number", type=int)
@click.pass_context
def rollback(ctx: click.Context, number: int) -> None:
    """Publish the content of version NUMBER as a new version."""
    engine = create_engine(settings_from(ctx).database_url)
    try:
        done = lifecycle.rollback(engine, number, author=author())
        for line in done.lines():
            click.echo(line)
        click.echo(f"published version {done.version} (the content of version {number})")
        recompute_after(engine, done.registry)
    except (lifecycle.LifecycleError, SchemaError, ConfigInvalid) as error:
        _fail(ctx, [str(error)], f"could not roll back to version {number}")
    finally:
        engine.dispose()


def author() -> str:
    """Who publishes from the command line: $LEADLOOM_USER, else the login name."""
    return os.environ.get("LEADLOOM_USER") or getpass.getuser()


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the schema files (default: <config>/.schema).")
@click.pass_context
def schema(ctx: click.Context, out: Path | None) -> None:
    """Write the JSON Schema of each config file kind, for editors' completion and checks."""
    folder = out or settings_from(ctx).config_dir / SCHEMA_FOLDER
    for path in write_json_schemas(folder):
        click.echo(str(path))


COMMANDS = [check, migrate_command, publish, versions, rollback, schema]
