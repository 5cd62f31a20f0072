"""Commands about the config and the schema: ``check`` and ``migrate``."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
import sqlalchemy as sa

from leadloom import lifecycle
from leadloom.cli.options import settings_from
from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.files import read_folder
from leadloom.metadata.jsonschema import SCHEMA_FOLDER, write_json_schemas
from leadloom.model import SchemaError, build_models, create_engine
from leadloom.model.readiness import required_without_default
from leadloom.reporting.audience import unknown_users


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
        engine = create_engine(url, read_only=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        return [f"database URL '{url}' cannot be used: {exc}"]
    try:
        with engine.connect() as conn:
            found = [str(e) for e in required_without_default(conn, build_models(registry),
                                                               folder)]
            return found + unknown_users(conn, registry)  # type: ignore[arg-type]
    except sa.exc.OperationalError:
        return []  # no database yet: nothing that exists can break
    finally:
        engine.dispose()


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
    except ConfigInvalid as invalid:
        _fail(ctx, [str(e) for e in invalid.errors], "the config has problems")
    except SchemaError as refused:
        _fail(ctx, [str(refused)], "the schema change was refused")
    except lifecycle.NothingToPublish as same:
        click.echo(f"nothing to publish: {same}")
        return
    finally:
        engine.dispose()
    for line in done.lines():
        click.echo(line)
    click.echo("dry run: nothing was changed" if dry_run else f"published version {done.version}")


def _fail(ctx: click.Context, lines: list[str], summary: str) -> None:
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
    except (lifecycle.LifecycleError, SchemaError, ConfigInvalid) as error:
        _fail(ctx, [str(error)], f"could not roll back to version {number}")
    finally:
        engine.dispose()
    for line in done.lines():
        click.echo(line)
    click.echo(f"published version {done.version} (the content of version {number})")


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
