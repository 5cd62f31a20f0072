"""A list's rison ``q`` checked, quickly: against FAB's list schema (its answer, from a
validator built once), then against the documented query schema of the reader.

The schema lists every filterable column as one choice of an ``anyOf``; checking a filter
against it tries the choices one by one, and a valid request paid for every wrong guess.
Each choice names exactly one column, so a filter can only fit the choice of its own
column: a valid ``q`` is confirmed by checking each filter against that choice alone. Only a
``q`` that fails is checked against the whole schema, for the messages the document's
validator gives. Both answers depend on nothing but ``q``: they are kept for the last
``CHECKED_QUERIES`` queries (a list asked again is not checked again).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import prison
from flask import g, has_request_context
from flask_appbuilder.api.schemas import get_list_schema
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

#: FAB's own check of a list's ``q``, built once (``jsonschema.validate``, which FAB calls,
#: first re-checks the schema against its meta-schema: a third of a list request's time)
FAB_LIST_QUERY = validator_for(get_list_schema)(get_list_schema)
#: queries whose answers are kept, per check
CHECKED_QUERIES = 1024


def rison_args(text: str | None, allow_json: bool) -> tuple[Any, str | None]:
    """``q`` read as FAB's ``rison`` decorator reads it (rison, else JSON when
    ``allow_json``), and the 400 message when it cannot be read. FAB catches only its
    parser's own exception: a number prison cannot read, or deep nesting, was a 500.
    Read once per request (the record APIs' check before the request and the list both
    ask); the arguments are not to be changed in place.

    :return: the arguments (``{}`` without ``q``) and None, or None and the message.
    """
    if not text:
        return {}, None
    if not has_request_context():
        return _read(text, allow_json)
    kept = g.get("leadloom_q")
    if kept is None or kept[0] != (text, allow_json):
        kept = g.leadloom_q = ((text, allow_json), _read(text, allow_json))
    return kept[1]  # type: ignore[no-any-return]


def _read(text: str, allow_json: bool) -> tuple[Any, str | None]:
    try:
        return prison.loads(text), None
    except (prison.decoder.ParserException, ValueError, RecursionError):
        pass
    if not allow_json:
        return None, "Not a valid rison argument"
    try:  # the address already decoded: a "+" in it is a plus ("+08:00"), not a space
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):  # a list's arguments; anything else is read as FAB does
        return value, None
    try:  # FAB's reading: decoded once more, for clients that encoded the JSON twice
        return json.loads(urllib.parse.parse_qs(f"q={text}")["q"][0]), None
    except (ValueError, KeyError, RecursionError):
        return None, "Not a valid rison/json argument"


def fab_problem(args: Any) -> str | None:
    """FAB's answer to a ``q`` its list schema refuses (None: it fits)."""
    return _by_query(_fab_problem, _fab_problem_of, args)


def _fab_problem(args: Any) -> str | None:
    error = best_match(FAB_LIST_QUERY.iter_errors(args))
    if error is None:
        return None
    first_line = str(error).partition("\n")[0]
    return f"Not a valid rison schema {first_line}"


@lru_cache(maxsize=CHECKED_QUERIES)
def _fab_problem_of(key: str) -> str | None:
    return _fab_problem(json.loads(key))


def _by_query(check: Callable[[Any], Any], kept: Callable[[str], Any], args: Any) -> Any:
    """``check(args)``, answered by ``kept`` (a cache by ``args`` as JSON, in their order) when
    ``args`` is plain JSON data."""
    try:
        key = json.dumps(args, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return check(args)
    return kept(key)


class QueryCheck:
    """Validators built once for one reader's query schema (see ``list_query_schema``)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._whole = Draft7Validator(schema)
        properties = dict(schema["properties"])
        filters = properties.pop("filters", None)
        self._by_column: dict[str, Draft7Validator] = {}
        self._rest = self._whole
        if filters is not None:
            self._rest = Draft7Validator({**schema, "properties": {
                **properties, "filters": {"type": "array"}}})
            self._by_column = {c["properties"]["col"]["enum"][0]: Draft7Validator(c)
                               for c in filters["items"]["anyOf"]}
        self._fits_query = lru_cache(maxsize=CHECKED_QUERIES)(
            lambda key: self._fits(json.loads(key)))

    def problems(self, args: Any) -> list[str]:
        """What is wrong with ``args`` (empty: it fits the schema)."""
        if _by_query(self._fits, self._fits_query, args):
            return []
        return [e.message for e in self._whole.iter_errors(args)]

    def _fits(self, args: Any) -> bool:
        """Whether ``args`` fits: the rest as a whole, each filter by its column's choice."""
        if not self._rest.is_valid(args):
            return False
        for item in args.get("filters", []):
            column = item.get("col") if isinstance(item, dict) else None
            check = self._by_column.get(column) if isinstance(column, str) else None
            if check is None or not check.is_valid(item):
                return False
        return True
