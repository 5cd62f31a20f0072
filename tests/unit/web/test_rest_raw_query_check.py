"""A list's ``q`` checked column by column gives the same verdict, and the same messages,
as the whole documented schema."""

from __future__ import annotations

import jsonschema
import pytest
from flask_appbuilder.api.schemas import get_list_schema
from jsonschema import Draft7Validator

from leadloom.web.list_query import QueryCheck, fab_problem
from leadloom.web.openapi_docs import list_query_schema

SCHEMA = list_query_schema(
    ["id", "grade", "created_at"],
    {"grade": (["eq", "neq"], None), "status": (["eq", "in"], None), "owner": ([], None)})
NO_FILTERS = list_query_schema(["id"], {})

CASES = [
    {},
    {"page": 0, "page_size": 50, "order_column": "grade", "order_direction": "desc"},
    {"filters": []},
    {"filters": [{"col": "grade", "opr": "eq", "value": "A"}]},
    {"filters": [{"col": "status", "opr": "eq", "value": "new"},
                 {"col": "grade", "opr": "neq", "value": "B"}]},
    {"filters": [{"col": "owner", "opr": "eq", "value": "1"}]},
    {"filters": [{"col": "grade", "opr": "in", "value": "A"}]},
    {"filters": [{"col": "grade", "opr": "eq"}]},
    {"filters": [{"col": "grade", "opr": "eq", "value": "A", "more": 1}]},
    {"filters": [{"col": 3, "opr": "eq", "value": "A"}]},
    {"filters": ["grade"]},
    {"filters": "grade"},
    {"order_column": "secret"},
    {"page": -1},
    {"unknown": 1},
    [],
]


@pytest.mark.parametrize("schema", [SCHEMA, NO_FILTERS])
@pytest.mark.parametrize("args", CASES)
def test_the_same_verdict_and_messages_as_the_whole_schema(schema, args):
    whole = [e.message for e in Draft7Validator(schema).iter_errors(args)]
    assert QueryCheck(schema).problems(args) == whole


def test_valid_and_invalid_cases_are_both_covered():
    check = QueryCheck(SCHEMA)
    verdicts = {not check.problems(args) for args in CASES}
    assert verdicts == {True, False}


@pytest.mark.parametrize("args", [*CASES[:3], {"page": "first"}, {"filters": [{"col": 1}]},
                                  {"order_direction": "sideways"}])
def test_fab_problem_is_what_fab_answers(args):
    """FAB's ``rison`` decorator: ``jsonschema.validate``, the error's first line."""
    try:
        jsonschema.validate(instance=args, schema=get_list_schema)
        expected = None
    except jsonschema.ValidationError as error:
        expected = f"Not a valid rison schema {str(error).splitlines()[0]}"
    assert fab_problem(args) == expected
