"""The one error of the expression language."""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression that cannot be compiled: bad syntax, an unknown name, a construct the
    language does not have, or values of the wrong kind.

    ``column`` is the 1-based position in the expression text, when known.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message if self.column is None else f"{self.message} (column {self.column})"
