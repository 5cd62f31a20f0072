"""URL converters: an id in a path is any integer, so every id reaches its rule (FAB
registers ``PUT``/``DELETE /<pk>`` beside ``GET /<int:pk>``: an id the converter refused
would fall through to them as a 405); one check answers 404 for ids no row can have."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from leadloom.model.columns import ID_RANGE


class IdConverter(IntegerConverter):
    """``<int:pk>`` and ``<id:pk>``: any whole number, negative or beyond the INTEGER
    columns (``refuse_impossible_ids`` answers those)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("signed", True)
        super().__init__(url_map, *args, **kwargs)


def refuse_impossible_ids(app: Flask) -> None:
    """An id in the path that no row can have (beyond ``ID_RANGE``) is a 404 before any
    view runs: the database would refuse the query."""

    @app.before_request
    def _in_range() -> None:
        for value in (request.view_args or {}).values():
            if isinstance(value, int) and not ID_RANGE[0] <= value <= ID_RANGE[1]:
                abort(404)
