"""URL converters: ids in paths that no row can have are a 404 before any query."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from leadloom.model.columns import ID_RANGE


class IdConverter(IntegerConverter):
    """``<int:pk>`` and ``<id:pk>`` up to the INTEGER columns' maximum; a larger number
    matches no route (404) instead of reaching the database, which would refuse it."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_RANGE[1])
        super().__init__(url_map, *args, **kwargs)
