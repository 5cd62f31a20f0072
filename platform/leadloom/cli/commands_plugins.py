"""``leadloom plugins``: the plugins found, which are enabled, and why any is refused."""

from __future__ import annotations

from pathlib import Path

import click

from leadloom.cli.options import settings_from
from leadloom.metadata.files import read_folder
from leadloom.metadata.loader import read_parts
from leadloom.metadata.plugin_parts import BUILTIN, app_part, config_error, plugins_wanted
from leadloom.plugins import Found, find_plugins, search_dirs, try_load


@click.command("plugins")
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """List the plugins found (plugins/ folders and installed entry points), each enabled,
    available or refused with why (file:line), even when one is refused so the app will not
    start. Exit 1 when an enabled plugin is refused."""
    folder = settings_from(ctx).config_dir
    files = read_folder(folder)
    parts, _ = read_parts(files)  # other config problems are `leadloom check`'s to print
    app = app_part(parts)
    enabled, settings = plugins_wanted(app)
    dirs = search_dirs(files.origin)
    found = find_plugins(dirs)
    _, problems = try_load(enabled, settings, found, BUILTIN)
    click.echo("searched: " + ", ".join(str(d) for d in dirs) + " and entry points")
    refused = {p.plugin for p in problems}
    for item in found:
        click.echo(_line(item, _status(item, enabled, refused)))
    for name in enabled:
        if name not in {item.name for item in found}:
            click.echo(f"  {name:<32} refused    not found")
    for problem in problems:
        click.echo(f"    {config_error(app, enabled, problem)}")
    for item in found:
        if item.name not in enabled:
            click.echo("".join(f"    {p}\n" for p in item.problems), nl=False)
    if refused & set(enabled):
        ctx.exit(1)


def _status(item: Found, enabled: list[str], refused: set[str]) -> str:
    if item.name in enabled:
        return "refused" if item.name in refused else "enabled"
    return "broken" if item.problems else "available"


def _line(item: Found, status: str) -> str:
    m = item.manifest
    version = m.version if m else "?"
    provides = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in m.provides) if m \
        else ""
    where = _short(item.folder) if item.source == "folder" else item.source
    return f"  {item.name + ' ' + version:<32} {status:<10} {provides}  ({where})"


def _short(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


COMMANDS = [plugins_command]
