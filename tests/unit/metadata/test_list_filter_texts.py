"""The filter texts of lists and shared views, read against the field's type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leadloom.metadata.field_types import FieldType
from leadloom.metadata.list_filters import (
    OWNER,
    Contains,
    Empty,
    FilterProblem,
    OneOf,
    People,
    Period,
    Point,
    Span,
    parse,
)
from leadloom.metadata.registry import Field, Label, Option

GRADE = Field("grade", Label("线索分级", "Grade"), FieldType.ENUM,
              options=(Option("A", Label("A", "A")), Option("B", Label("B", "B"))))
DUE = Field("due", Label("截止", "Due"), FieldType.DATETIME)
AMOUNT = Field("amount", Label("金额", "Amount"), FieldType.MONEY)
NAME = Field("name", Label("名称", "Name"), FieldType.STRING)


@pytest.mark.parametrize(("field", "text", "condition"), [
    (GRADE, "A,B", OneOf(("A", "B"))),
    (GRADE, "empty", Empty(True)),
    (OWNER, "me", People("me")),
    (OWNER, "my_team", People("my_team")),
    (OWNER, "12", OneOf(("12",))),
    (DUE, "today", Period("today")),
    (DUE, "..now", Span(None, Point("now"))),
    (DUE, "-30d..", Span(Point("day", -30), None)),
    (DUE, "2026-11-01..2026-11-30",
     Span(Point("date", dt.date(2026, 11, 1)), Point("date", dt.date(2026, 11, 30)))),
    (DUE, "2026-11-30", Span(Point("date", dt.date(2026, 11, 30)),
                             Point("date", dt.date(2026, 11, 30)))),
    (AMOUNT, "10000..", Span(Point("number", Decimal(10000)), None)),
    (NAME, "华东", Contains("华东")),
    (NAME, "!empty", Empty(False)),
])
def test_texts_read_as_conditions(field, text, condition):
    assert parse(field, text) == condition


@pytest.mark.parametrize(("field", "text"), [
    (GRADE, "Z"), (GRADE, ","), (OWNER, "boss"), (DUE, "yesterday"), (DUE, ".."),
    (AMOUNT, "lots..")])
def test_a_text_that_does_not_fit_says_which_field(field, text):
    with pytest.raises(FilterProblem) as caught:
        parse(field, text)
    assert caught.value.message.params["field"] == field.label
