"""My day's pure parts: time left before a deadline, and list addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from leadloom.workflow.day_lists import Link
from leadloom.workflow.my_day import countdown

NOW = dt.datetime(2026, 11, 30, 4, 0)


@pytest.mark.parametrize(("due", "msgid", "n"), [
    (NOW + dt.timedelta(hours=3, minutes=20), "%(n)s hours left", 3),
    (NOW - dt.timedelta(hours=2, minutes=5), "%(n)s hours overdue", 2),
    (NOW + dt.timedelta(minutes=40), "%(n)s min left", 40),
    (NOW - dt.timedelta(seconds=20), "%(n)s min overdue", 1),
    (NOW + dt.timedelta(days=3, hours=1), "%(n)s days left", 3),
    (NOW - dt.timedelta(days=2), "%(n)s days overdue", 2),
])
def test_countdown_says_how_long_is_left_or_how_late(due, msgid, n):
    message = countdown(due, NOW)
    assert (message.msgid, message.params) == (msgid, {"n": n})


def test_a_link_is_the_list_address_with_its_view_first():
    link = Link("lead", (("owner", "me"),), "overdue")
    assert link.url == "/lead/list/?view=overdue&owner=me"
    narrowed = link.where(stage="capture,discovery", owner="12")
    assert narrowed.url == "/lead/list/?view=overdue&stage=capture,discovery&owner=12"
    assert Link("task", (("due_at", "..now"), ("notes", "!empty"))).url == \
        "/task/list/?due_at=..now&notes=!empty"
