"""``leadloom import``: a CSV or XLSX list into an entity, through the one write path."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.cli.options import settings_from
from leadloom.imports import (
    ON_DUPLICATE,
    PRESETS,
    ImportFileError,
    ImportOptions,
    ImportRequestError,
    create_run,
    error_file,
    find_mapping,
    perform,
    read_sheet,
    suggest_mapping,
)
from leadloom.lifecycle import active_registry
from leadloom.metadata import ConfigInvalid
from leadloom.metadata.catalog import in_language
from leadloom.metadata.messages import Message
from leadloom.model import DestructiveChange, Models, build_models, create_engine
from leadloom.records import Context, RecordError
from leadloom.workflow.approvals import actor_of


@click.command(name="import")
@click.argument("entity")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default=None,
              help="Import as USER: their rights, scope and saved mappings (default: the "
                   "system).")
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--mapping", "mapping_ref", default=None,
              help="A saved mapping's NAME, or a JSON FILE {header: field code or null}; "
                   "default: suggested from the headers.")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=None,
              help="Also recognise the headers of this CRM's exports.")
@click.option("--on-duplicate", type=click.Choice(ON_DUPLICATE), default="skip",
              show_default=True, help="What to do with a row that matches a lead.")
@click.option("--money-unit", type=click.Choice(["yuan", "wan"]), default=None,
              help="A bare number in a money column is in 元 or 万 (default: the field's).")
@click.pass_context
def import_file(ctx: click.Context, entity: str, file: Path, as_user: str | None,
                dry_run: bool, mapping_ref: str | None, preset: str | None,
                on_duplicate: str, money_unit: str | None) -> None:
    """Import FILE (.csv or .xlsx) into ENTITY; print the counts, and write the refused and
    skipped rows with their reasons next to FILE (FILE.errors.xlsx) to fix and import again.
    Exits 1 only when the file cannot be read."""
    settings = settings_from(ctx)
    engine = create_engine(settings.database_url)
    try:
        models = build_models(active_registry(engine, settings.config_dir))
    except (ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error
    locale = models.registry.app.default_locale
    data = file.read_bytes()
    options = ImportOptions.from_json({"on_duplicate": on_duplicate, "dry_run": dry_run,
                                       "money_unit": money_unit})
    with Session(engine) as session:
        writer = Context(_actor(session, models, as_user), session, models, channel="import")
        try:
            sheet = read_sheet(data, file.name)
            mapping = _mapping(writer, entity, sheet.headers, mapping_ref, preset)
            run_id = create_run(writer, entity, file.name, data, mapping, options)
        except ImportFileError as error:
            click.echo(f"{file}: {in_language(error.message, locale)}", err=True)
            ctx.exit(1)
        except (ImportRequestError, RecordError) as error:
            raise click.UsageError(in_language(_message(error), locale)) from error
        _show_mapping(mapping)
        run = perform(session, models, run_id)
        assert run is not None
        click.echo(("dry run: " if dry_run else "") + ", ".join(
            f"{k} {v}" for k, v in run.counts.items()))
        if run.counts["refused"] or run.counts["skipped"]:
            name, body = error_file(writer, run_id, locale) or ("", b"")
            out = file.with_name(name)
            out.write_bytes(body)
            click.echo(f"refused and skipped rows with their reasons: {out}")
    engine.dispose()


def _actor(session: Session, models: Models, username: str | None) -> Actor:
    if username is None:
        return Actor.system_actor()
    user_id = session.scalar(sa.select(User.id).where(User.username == username,
                                                      User.active.is_(True)))
    if user_id is None:
        raise click.UsageError(f"no active user '{username}'")
    return actor_of(session, models, user_id, username)


def _mapping(ctx: Context, entity: str, headers: list[str], ref: str | None,
             preset: str | None) -> dict[str, str | None]:
    """The saved mapping or JSON file ``ref`` names, else one suggested from the headers."""
    saved = None
    if ref is not None:
        path = Path(ref)
        if path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                raise click.UsageError(f"{ref}: not a JSON mapping ({error})") from None
            if not isinstance(saved, dict):
                raise click.UsageError(f"{ref}: not a JSON object {{header: field}}")
        else:
            found = find_mapping(ctx, entity, ref)
            if found is None:
                raise click.UsageError(f"no saved mapping '{ref}' for {entity}")
            saved = found.mapping
    return suggest_mapping(ctx.registry, entity, headers, preset=preset, saved=saved)


def _show_mapping(mapping: dict[str, str | None]) -> None:
    for header, code in mapping.items():
        click.echo(f"  {header} -> {code or '(ignored)'}")


def _message(error: Exception) -> Message:
    found = getattr(error, "message", None)
    return found if isinstance(found, Message) else Message(str(error))


COMMANDS = [import_file]
