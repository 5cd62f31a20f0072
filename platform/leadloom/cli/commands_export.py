"""``leadloom export ENTITY FILE.xlsx|csv [--as USER] [--q RISON]``: a list to a file.

The export runs through the REST export's own code (its ``q`` check, the list's query, the
one read scope) in a request made for USER, so the file holds exactly what USER's export
from the screen or REST would: same rows, same columns, audited (channel ``cli``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import Flask, Response, g
from flask_login import login_user

from leadloom.cli.commands_run import _app
from leadloom.cli.options import settings_from
from leadloom.exports import FORMATS
from leadloom.records import RecordError
from leadloom.web.api import EntityApi
from leadloom.web.language import translated


@click.command()
@click.argument("entity")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default="admin", show_default=True,
              help="Export what USER may see: their rows, their fields, their right.")
@click.option("--q", "q", default=None,
              help="The list's rison query, as the REST list's q: filters, sort, columns.")
@click.pass_context
def export(ctx: click.Context, entity: str, file: Path, as_user: str, q: str | None) -> None:
    """Write ENTITY's list as USER sees it to FILE (.xlsx or .csv); prints the row count."""
    fmt = file.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter("give a file name ending in .xlsx or .csv", param_hint="FILE")
    app = _app(settings_from(ctx), pages=False)
    rows = export_file(app, entity, file, fmt, as_user, q)
    click.echo(f"{rows} row(s) written to {file}")


def export_file(app: Flask, entity: str, file: Path, fmt: str, as_user: str,
                q: str | None) -> int:
    """Export ``entity``'s list for ``as_user`` into ``file``; the rows written.

    :raises click.ClickException: an unknown entity or user, or a refused export (exit 1).
    """
    with app.app_context():
        appbuilder = app.appbuilder  # type: ignore[attr-defined]
        api = next((v for v in appbuilder.baseviews
                    if isinstance(v, EntityApi) and v.entity.code == entity), None)
        if api is None:
            raise click.ClickException(f"there is no entity '{entity}'")
        user = appbuilder.sm.find_user(username=as_user)
        if user is None or not user.active:
            raise click.ClickException(f"there is no active user '{as_user}'")
        query = {"q": q} if q else {}
        with app.test_request_context(f"/api/v1/{entity}/export", query_string=query):
            login_user(user)
            g.user = user  # what FAB's before-request sets for a logged-in request
            try:
                with file.open("wb") as out:
                    result = api.export_to(out, fmt, "cli")
            except RecordError as error:
                file.unlink(missing_ok=True)
                raise click.ClickException(translated(error.message)) from error
            if isinstance(result, Response):
                file.unlink(missing_ok=True)
                raise click.ClickException(_refusal(json.loads(result.get_data())))
            return result.rows


def _refusal(answer: dict[str, Any]) -> str:
    """The 400's message with each named problem: "…: q.filters: …"."""
    problems = [f"{key}: {'; '.join(messages)}" for key, messages in answer["errors"].items()]
    return " · ".join([answer["message"], *problems])


COMMANDS = [export]
