"""One place that turns write-path refusals into HTTP answers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify

from leadloom.records import RecordError

F = TypeVar("F", bound=Callable[..., Any])


def json_error(error: RecordError) -> Response:
    """``{"message": ..., "errors": {field: [...]}}`` with the error's status."""
    response = jsonify(message=error.message, errors=error.errors)
    response.status_code = error.status
    return response


def answers_record_errors(func: F) -> F:
    """Wrap an API handler so write-path refusals become JSON (before FAB's @safe sees them)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecordError as error:
            return json_error(error)

    return wrapper  # type: ignore[return-value]
