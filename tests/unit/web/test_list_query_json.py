"""A list's ``q`` given as JSON is read as the address carries it: a time zone's "+" stays a
plus (FAB's own reading decodes the text a second time and made it a space)."""

from __future__ import annotations

import json

from leadloom.web.list_query import rison_args

FILTER = {"col": "created_at", "opr": "gt", "value": "2024-10-01T08:00+08:00"}


def test_a_plus_in_a_json_query_stays_a_plus() -> None:
    args, problem = rison_args(json.dumps({"filters": [FILTER]}), True)
    assert problem is None and args == {"filters": [FILTER]}


def test_json_encoded_twice_is_still_read_as_fab_reads_it() -> None:
    args, problem = rison_args('{"page":%201}', True)
    assert problem is None and args == {"page": 1}


def test_rison_first_and_no_json_when_not_allowed() -> None:
    assert rison_args("(page:1)", False) == ({"page": 1}, None)
    assert rison_args('{"page": 1}', False) == (None, "Not a valid rison argument")
