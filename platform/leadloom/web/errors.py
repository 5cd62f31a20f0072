"""One place that turns write-path refusals into HTTP answers, in the user's language."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, jsonify, request
from markupsafe import escape
from sqlalchemy.orm.exc import StaleDataError
from werkzeug import exceptions

from leadloom.metadata.messages import Message
from leadloom.records import Conflict, RecordError
from leadloom.web.language import translated
from leadloom.web.state import state

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

#: What the database or its driver raise for a value no check stopped: too large a number,
#: text PostgreSQL cannot store (NUL), text that is not UTF-8 (a lone surrogate).
BAD_INPUT = (sa.exc.DataError, OverflowError, UnicodeEncodeError)


def json_error(error: RecordError) -> Response:
    """``{"message": ..., "errors": {field: [...]}}`` with the error's status."""
    errors = {field: [translated(m) for m in (messages if isinstance(messages, list)
                                              else [messages])]
              for field, messages in error.errors.items()}
    response = jsonify(message=translated(error.message), errors=errors)
    response.status_code = error.status
    return response


def refused_input(error: Exception) -> RecordError:
    """The last line of defence: input the database refused although a check should have
    stopped it. Logged with its traceback, so the missing check gets written."""
    log.error("input reached the database unchecked (%s %s)", request.method, request.path,
              exc_info=error)
    return RecordError(Message("invalid value: the database cannot store it"))


def answers_record_errors(func: F) -> F:
    """Wrap an API handler so write-path refusals become JSON (before FAB's @safe sees them)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecordError as error:
            return json_error(error)
        except BAD_INPUT as error:
            return json_error(refused_input(error))

    return wrapper  # type: ignore[return-value]


def _bad_input_answer(error: Exception) -> Any:
    refusal = refused_input(error)
    if request.path.startswith("/api/"):
        return json_error(refusal)
    text = escape(translated(refusal.message))
    return f"<!doctype html><title>{text}</title><p>{text}</p>", refusal.status


def answer_bad_input(app: Flask) -> None:
    """Routes outside ``answers_record_errors`` (pages, other APIs) answer 400, never 500."""
    for kind in BAD_INPUT:
        app.register_error_handler(kind, _bad_input_answer)


def answer_stale_records(app: Flask) -> None:
    """A stale-object error that escaped the write path (a view's own flush, say) is a
    lost race, not a server error: 409, as JSON for the API and as a page elsewhere."""
    app.register_error_handler(StaleDataError, _stale_record)


def _stale_record(error: StaleDataError) -> Response:
    state().db.session.rollback()
    message = translated(Message("the record was changed by someone else meanwhile; reload it"))
    if request.path.startswith("/api/"):
        return json_error(Conflict(message))
    return exceptions.Conflict(message).get_response()
