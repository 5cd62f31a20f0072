"""``leadloom`` and its subcommands.

A subcommand's module is imported only when that command runs (or ``--help`` lists them
all): ``demo-data`` does not pay for Redis, RQ or the config tooling it never uses.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

#: command name → the module under ``leadloom.cli`` that defines it (in its ``COMMANDS``)
COMMAND_MODULES = {
    "check": "commands_config", "migrate": "commands_config", "publish": "commands_config",
    "versions": "commands_config", "rollback": "commands_config", "schema": "commands_config",
    "serve": "commands_run", "demo": "commands_run",
    "demo-data": "commands_data", "user": "commands_data",
    "worker": "commands_jobs", "scheduler": "commands_jobs", "report": "commands_jobs",
    "tick": "commands_leads", "export": "commands_export", "import": "commands_import",
    "plugins": "commands_plugins",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module when the subcommand is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None:
            return None
        commands = importlib.import_module(f"leadloom.cli.{module}").COMMANDS
        return next(command for command in commands if command.name == cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
              help="Config folder (default: $LEADLOOM_CONFIG_DIR or ./config).")
@click.option("--database-url", default=None,
              help="Database URL (default: $LEADLOOM_DATABASE_URL or the SQLite file "
                   "var/leadloom.db beside the config folder).")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path | None, database_url: str | None) -> None:
    """leadloom: a low-code CRM for sales leads, configured in YAML."""
    ctx.obj = {"config_dir": config_dir, "database_url": database_url}


def main() -> None:
    sys.exit(cli.main(prog_name="leadloom", standalone_mode=True))
