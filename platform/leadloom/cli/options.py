"""Settings for a command: the group's options over the environment."""

from __future__ import annotations

import click

from leadloom.settings import Settings


def settings_from(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj or {}
    return Settings.from_env(config_dir=obj.get("config_dir"),
                             database_url=obj.get("database_url"))
