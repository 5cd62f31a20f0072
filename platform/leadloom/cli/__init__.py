"""The ``leadloom`` command. Each subcommand is a thin shell around a typed layer function.

Exit codes: 0 fine, 1 problems found (printed one per line), 2 usage error.
"""

from __future__ import annotations

from leadloom.cli.main import main as main
