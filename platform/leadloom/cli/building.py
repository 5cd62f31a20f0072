"""Building a command's app, its failures said as a command's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from leadloom.metadata import ConfigInvalid
from leadloom.model import DestructiveChange
from leadloom.settings import Settings
from leadloom.web.foundation import MissingSecretKey


class SetupRefused(click.ClickException):
    """The environment is not fit to run (e.g. no or a weak secret key): exit 2."""

    exit_code = 2


def built(factory: Callable[..., Flask], settings: Settings, **options: Any) -> Flask:
    """``factory(settings, **options)``; a bad config or secret ends the command with its
    message (exit 1, or 2 for the secret)."""
    try:
        return factory(settings, **options)
    except (ConfigInvalid, DestructiveChange) as error:
        raise click.ClickException(str(error)) from error
    except MissingSecretKey as error:
        raise SetupRefused(str(error)) from error
