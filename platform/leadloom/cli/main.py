"""``leadloom`` and its subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadloom.cli import commands_config, commands_jobs, commands_leads, commands_run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
              help="Config folder (default: $LEADLOOM_CONFIG_DIR or ./config).")
@click.option("--database-url", default=None,
              help="Database URL (default: $LEADLOOM_DATABASE_URL or the SQLite file "
                   "var/leadloom.db beside the config folder).")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path | None, database_url: str | None) -> None:
    """leadloom: a low-code CRM for sales leads, configured in YAML."""
    ctx.obj = {"config_dir": config_dir, "database_url": database_url}


for command in (*commands_config.COMMANDS, *commands_run.COMMANDS, *commands_jobs.COMMANDS,
                *commands_leads.COMMANDS):
    cli.add_command(command)


def main() -> None:
    sys.exit(cli.main(prog_name="leadloom", standalone_mode=True))
