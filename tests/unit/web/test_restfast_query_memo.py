"""A list's ``q`` is checked once: the answers are kept by the query, and two queries that
differ only in a value's type (1, 1.5, true, "1") keep answers of their own."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator

from leadloom.web import list_query
from leadloom.web.list_query import QueryCheck, fab_problem
from leadloom.web.openapi_docs import list_query_schema

SCHEMA = list_query_schema(["id", "grade"], {"grade": (["eq"], None)})
ALIKE = [{"page": 1}, {"page": 1.5}, {"page": True}, {"page": "1"}, {"page": None}]


@pytest.mark.parametrize("args", ALIKE)
def test_each_query_keeps_its_own_answer(args):
    check = QueryCheck(SCHEMA)
    expected = [e.message for e in Draft7Validator(SCHEMA).iter_errors(args)]
    for other in ALIKE:  # the others' answers kept first
        check.problems(other)
        fab_problem(other)
    assert check.problems(args) == expected
    assert fab_problem(args) == list_query._fab_problem(args)


def test_a_query_asked_again_is_not_checked_again():
    check = QueryCheck(SCHEMA)
    args = {"filters": [{"col": "grade", "opr": "eq", "value": "A"}], "page_size": 50}
    assert check.problems(args) == [] and fab_problem(args) is None
    fab_before = list_query._fab_problem_of.cache_info().hits
    assert check.problems(dict(args)) == [] and fab_problem(dict(args)) is None
    assert check._fits_query.cache_info().hits == 1
    assert list_query._fab_problem_of.cache_info().hits == fab_before + 1
