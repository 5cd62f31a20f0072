"""The REST list's own query arguments in the OpenAPI document: a filter per field the caller
may filter by (``?unit=east&owner=me&next_followup_due_at=..now``) and a shared view
(``?view=overdue``), next to FAB's rison ``q`` that sorts and pages.

Each filter's pattern is the grammar of ``metadata.list_filters`` for its field's type (the
same texts the screens' addresses use), so a client and a schema-driven test know what
the server applies; anything else is a 400 naming the argument (``list_views``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from leadloom.metadata.field_types import CHOICE, NUMERIC, TEXTUAL, FieldType
from leadloom.metadata.list_filters import PEOPLE, PERIODS, TIMED, filterable
from leadloom.metadata.registry import Entity, Field, Unit
from leadloom.records import RecordInvalid
from leadloom.web.list_views import BadListQuery
from leadloom.web.openapi import check_body

#: a day the calendar bounds hold (1900–2199), with the days each month has
DAY = (r"(?:19|20|21)[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
       r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)")
#: one end of a time range: a day, now, today, or days from today
TIME_POINT = rf"(?:{DAY}|now|today|[+-][0-9]{{1,4}}d)"
WHOLE = r"-?[0-9]{1,18}"
DECIMAL = r"-?[0-9]{1,12}(?:\.[0-9]{1,4})?"
RECORD_ID = r"[1-9][0-9]{0,8}"
EMPTY = ("empty", "!empty")


def list_parameters(entity: Entity, units: Sequence[Unit], hidden: frozenset[str]
                    ) -> list[dict[str, Any]]:
    """The list's filter arguments the caller may use (``hidden`` fields left out), and
    its shared view."""
    found = [{"in": "query", "name": code, "required": False,
              "description": f"{f.label.get('en')}: {_hint(f)}",
              "schema": {"type": "string", "pattern": _pattern(f)}}
             for code, f in filterable(entity, units).items() if code not in hidden]
    if entity.views:
        found.append({"in": "query", "name": "view", "required": False,
                      "description": "A shared view of config: its filters and sort "
                                     "(the arguments above win)",
                      "schema": {"type": "string", "enum": [v.code for v in entity.views]}})
    return found


def _hint(f: Field) -> str:
    if f.type in TEXTUAL:
        return "a part of the text, or empty / !empty"
    if f.type in TIMED:
        return "a day, FROM..TO, today, this_week, this_month, or empty / !empty"
    if f.type in NUMERIC:
        return "values A,B or a range FROM..TO, or empty / !empty"
    if f.type is FieldType.USER:
        return "me, my_team or user ids A,B, or empty / !empty"
    return "values A,B, or empty / !empty"


def _pattern(f: Field) -> str:
    """The filter texts ``metadata.list_filters.parse`` applies to ``f``."""
    if f.type in TEXTUAL:
        return r"^[^\x00]*[^\s\x00][^\x00]*$"
    if f.type in TIMED:
        return _either(*EMPTY, *PERIODS, TIME_POINT, *_ranges(TIME_POINT))
    if f.type in NUMERIC:
        number = WHOLE if f.type is FieldType.INTEGER else DECIMAL
        return _either(*EMPTY, _several(number), *_ranges(DECIMAL))
    if f.type is FieldType.USER:
        return _either(*EMPTY, *PEOPLE, _several(RECORD_ID))
    if f.type is FieldType.REFERENCE:
        return _either(*EMPTY, _several(RECORD_ID))
    if f.type is FieldType.BOOLEAN:
        return _either(*EMPTY, _several("true|false"))
    if f.type in CHOICE:
        codes = "|".join(re.escape(o.code) for o in f.options if o.code not in EMPTY)
        return _either(*EMPTY, _several(codes))
    return _either(*EMPTY)


def _several(item: str) -> str:
    return f"(?:{item})(?:,(?:{item}))*"


def _ranges(point: str) -> tuple[str, str]:
    """``FROM..TO`` with either end open, not both."""
    return rf"{point}\.\.(?:{point})?", rf"\.\.{point}"


def _either(*choices: str) -> str:
    return "^(?:" + "|".join(choices) + ")$"


def checked_query(schema: dict[str, Any], args: Any) -> None:
    """Check a list's rison ``q`` against the caller's document.

    :raises BadListQuery: each problem under ``q.<key>`` (400), in the reader's language.
    """
    try:
        check_body(schema, args)
    except RecordInvalid as error:
        raise BadListQuery({"q" if key == "body" else f"q.{key}": messages
                            for key, messages in error.errors.items()}) from None
