"""Conditions on a write see both of its sides: ``old.<field>`` as stored, ``new.<field>``
(and the plain name) as after the write; other dotted names stay refused."""

from __future__ import annotations

import pytest

from leadloom.rules import ExpressionError, compile_expression, side_values, with_sides

FIELDS = {"stage": "enum", "expected_amount": "money"}
OPTIONS = {"stage": ["capture", "negotiation", "lost"]}
LOST_FROM_NEGOTIATION = "new.stage == 'lost' and old.stage == 'negotiation'"


def holds(text: str, before: dict, after: dict) -> bool:
    expression = compile_expression(text, with_sides(FIELDS), options=OPTIONS)
    return expression.test(side_values(before, after))


@pytest.mark.parametrize(("before", "after", "result"), [
    ({"stage": "negotiation"}, {"stage": "lost"}, True),
    ({"stage": "capture"}, {"stage": "lost"}, False),
    ({}, {"stage": "lost"}, False),  # a new record has no old side
    ({"stage": "negotiation"}, {"stage": "negotiation"}, False),
])
def test_lost_from_negotiation(before, after, result):
    assert holds(LOST_FROM_NEGOTIATION, before, after) is result


def test_the_plain_name_is_the_new_side():
    assert holds("stage == 'lost'", {"stage": "negotiation"}, {"stage": "lost"})
    assert not holds("stage == 'negotiation'", {"stage": "negotiation"}, {"stage": "lost"})


def test_both_sides_are_named_fields_of_the_expression():
    expression = compile_expression(LOST_FROM_NEGOTIATION, with_sides(FIELDS), options=OPTIONS)
    assert expression.names == {"new.stage", "old.stage"}


@pytest.mark.parametrize(("text", "fields", "message", "column"), [
    ("old.stage == 'negotiaton'", with_sides(FIELDS), "'negotiaton' is not an option of "
                                                      "old.stage", 14),
    ("old.stagee == 'lost'", with_sides(FIELDS), "unknown field 'old.stagee'", 1),
    ("stage.real", with_sides(FIELDS), "attribute access (a.b) is not supported: use "
                                       "old.<field> or new.<field>", 1),
    ("old.stage == 'lost'", FIELDS, "attribute access (a.b) is not supported: use fields", 1),
    ("old.stage.code", with_sides(FIELDS), "attribute access", 1),
])
def test_refused_with_the_column(text, fields, message, column):
    with pytest.raises(ExpressionError) as refused:
        compile_expression(text, fields, options=OPTIONS)
    assert message in refused.value.message
    assert refused.value.column == column
