"""The lazy ``leadloom`` group: every command is reachable by name, and running one
command does not import the others' heavy dependencies."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from leadloom.cli.main import COMMAND_MODULES, cli


def test_every_defined_command_is_registered_under_its_module() -> None:
    defined = {command.name: module for module in set(COMMAND_MODULES.values())
               for command in importlib.import_module(f"leadloom.cli.{module}").COMMANDS}
    assert defined == COMMAND_MODULES


def test_help_lists_every_command_and_an_unknown_one_is_a_usage_error() -> None:
    listed = CliRunner().invoke(cli, ["--help"])
    assert listed.exit_code == 0
    assert all(name in listed.output for name in COMMAND_MODULES)
    unknown = CliRunner().invoke(cli, ["no-such-command"])
    assert unknown.exit_code == 2
    assert "No such command" in unknown.output


def test_a_command_imports_neither_rq_nor_weasyprint_before_it_needs_them() -> None:
    code = ("import sys; from leadloom.cli.main import cli\n"
            "cli.get_command(None, 'demo-data')\n"
            "print(sorted(m for m in ('rq', 'redis', 'weasyprint', 'openpyxl') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
