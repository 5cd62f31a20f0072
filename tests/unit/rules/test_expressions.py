"""The expression language: what it computes, what it refuses, and where it says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leadloom.rules import FUNCTIONS, ExpressionError, Kind, compile_expression

FIELDS = {"budget_status": "enum", "budget_max": "money", "industry": "enum",
          "is_decision_maker": "boolean", "last_followup_at": "datetime",
          "contact_phone": "phone", "need_tags": "multi_enum", "employees": "integer",
          "sign_date": "date", "note": "text"}
OPTIONS = {"budget_status": ["sufficient", "to_confirm", "unclear"],
           "industry": ["manufacturing", "trade"]}
NOW = dt.datetime(2024, 3, 15, 2, 0)  # 10:00 in Shanghai


def run(text, **values):
    return compile_expression(text, FIELDS, options=OPTIONS).evaluate(values, now=NOW)


@pytest.mark.parametrize(("text", "values", "result"), [
    ("budget_status == 'sufficient' and budget_max >= wan(10)",
     {"budget_status": "sufficient", "budget_max": Decimal("150000.00")}, True),
    ("industry in ['manufacturing', 'trade']", {"industry": "trade"}, True),
    ("industry not in ['manufacturing']", {"industry": "trade"}, True),
    ("(1 if budget_status == 'unclear' else 0) + (2 if is_decision_maker == false else 0)",
     {"budget_status": "unclear", "is_decision_maker": False}, 3),
    ("budget_max / 2 - 1 * 3", {"budget_max": Decimal("10")}, Decimal("2")),
    ("employees * 1.5", {"employees": 4}, Decimal("6.0")),
    ("not is_empty(contact_phone) or len(need_tags) > 1", {"need_tags": ["a", "b"]}, True),
    ("'crm' in lower(note) and contains(note, 'ERP')", {"note": "CRM and erp"}, True),
    # 2024-02-14 01:00 in Shanghai → 03-15: 30 calendar days (local dates, not hours)
    ("days_since(last_followup_at) >= 30", {"last_followup_at": dt.datetime(2024, 2, 13, 17)},
     True),
    ("days_since(sign_date)", {"sign_date": dt.date(2024, 3, 1)}, 14),
    ("working_days_between(sign_date, today())", {"sign_date": dt.date(2024, 3, 8)}, 5),
    ("hours_since(last_followup_at) > 48", {"last_followup_at": dt.datetime(2024, 3, 12)},
     True),
    ("coalesce(budget_max, 0) + 1", {}, 1),
    ("min(employees, 10) + max(employees, 10) + abs(0 - employees)", {"employees": 3}, 16),
    ("starts_with(contact_phone, '139')", {"contact_phone": "13912345678"}, True),
    ("'vip' in need_tags", {"need_tags": ["vip"]}, True),
    ("sign_date < today() and last_followup_at < now()",
     {"sign_date": dt.date(2024, 3, 1), "last_followup_at": dt.datetime(2024, 3, 1)}, True),
])
def test_values(text, values, result):
    assert run(text, **values) == result


@pytest.mark.parametrize("text", [
    "budget_max > 10", "budget_max + 1 > 0", "industry in ['trade']", "'x' in note",
    "days_since(last_followup_at) > 60", "budget_status == 'unclear'", "-budget_max < 0",
])
def test_empty_values_never_raise_and_never_match(text):
    assert not compile_expression(text, FIELDS).test({}, now=NOW)


def test_empty_compares_equal_to_null_and_division_by_zero_is_empty():
    assert run("budget_status == null") is True and run("budget_status != null") is False
    assert run("employees / 0", employees=3) is None


def test_names_and_kind():
    expr = compile_expression("budget_max >= wan(50) or industry == 'trade'", FIELDS)
    assert expr.names == frozenset({"budget_max", "industry"}) and expr.kind is Kind.BOOL


@pytest.mark.parametrize(("text", "message", "column"), [
    ("budgt_max > 1", "unknown field 'budgt_max' (did you mean 'budget_max'?)", 1),
    ("industry == 'tarde'", "'tarde' is not an option of industry", 13),
    ("industry in ['trade', 'mining']", "'mining' is not an option of industry", 23),
    ("__import__('os').system('x')", "only the listed functions can be called", 1),
    ("open('/etc/passwd')", "unknown function 'open'", 1),
    ("budget_max.real", "attribute access", 1),
    ("note[0]", "indexing", 1),
    ("lambda: 1", "lambda", 1),
    ("[x for x in need_tags]", "comprehensions", 1),
    ("budget_max > 'ten'", "cannot compare number with text", 1),
    ("note - 1", "'-' cannot combine text and number", 1),
    ("len(note, 2)", "len() takes 1 value(s), not 2", 1),
    ("lower(budget_max)", "lower() needs text here, not number", 7),
    ("days_since(note)", "days_since() needs datetime here, not text", 12),
    ("budget_max ** 2", "'**' is not supported", 1),
    ("budget_max >", "syntax error", 13),
    ("  ", "the expression is empty", 1),
    ("industry in 5", "'in' needs a list or a text", 1),
    ("True if note else 1", "both branches", 1),
    ("f'{note}'", "f-strings", 1),
    ("len", "is a function", 1),
    ("contains(note, part=1)", "without names", 1),
    ("x" * 2100, "longer than", None),
])
def test_refused(text, message, column):
    with pytest.raises(ExpressionError) as refused:
        compile_expression(text, FIELDS, options=OPTIONS)
    assert message in refused.value.message
    assert refused.value.column == column


def test_every_function_has_help():
    assert all(f.help for f in FUNCTIONS.values())
