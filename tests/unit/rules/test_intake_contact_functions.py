"""``is_phone`` and ``is_email``: what the screening rules use to find contact details an
intake kept as given."""

from __future__ import annotations

import datetime as dt

import pytest

from leadloom.rules import compile_expression

NOW = dt.datetime(2026, 3, 2, 8, 0)
RULE = "not is_empty(contact_phone) and not is_phone(contact_phone)"


@pytest.mark.parametrize(("phone", "flagged"), [
    ("+86 138-1234-5678", False), ("021-6123 4567", False), ("1381234567", True),
    ("call me", True), (None, False), ("", False)])
def test_a_phone_is_flagged_only_when_given_and_not_a_number(phone, flagged):
    rule = compile_expression(RULE, {"contact_phone": "phone"})
    assert rule.evaluate({"contact_phone": phone}, now=NOW) is flagged


@pytest.mark.parametrize(("email", "valid"), [
    ("li@example.com", True), (" li@example.com ", True), ("li@example", False),
    ("li example.com", False), ("li@@example.com", False), (None, False)])
def test_is_email(email, valid):
    rule = compile_expression("is_email(contact_email)", {"contact_email": "email"})
    assert rule.evaluate({"contact_email": email}, now=NOW) is valid
