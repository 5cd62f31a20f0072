"""What the workflow layer can refuse; the write path turns these into its own errors."""

from __future__ import annotations


class WorkflowError(Exception):
    """A workflow rule refused something; ``errors`` maps field codes to messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
