"""One place that turns write-path refusals into HTTP answers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, jsonify, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug import exceptions

from leadloom.records import Conflict, RecordError
from leadloom.web.labels import current_locale
from leadloom.web.state import state

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


def answer_stale_records(app: Flask) -> None:
    """A stale-object error that escaped the write path (a view's own flush, say) is a
    lost race, not a server error: 409, as JSON for the API and as a page elsewhere."""
    app.register_error_handler(StaleDataError, _stale_record)


def _stale_record(error: StaleDataError) -> Response:
    state().db.session.rollback()
    message = ("记录已被他人修改，请刷新后重试" if current_locale() == "zh"
               else "the record was changed by someone else meanwhile; reload it")
    if request.path.startswith("/api/"):
        return json_error(Conflict(message))
    return exceptions.Conflict(message).get_response()
