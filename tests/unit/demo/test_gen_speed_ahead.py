"""Planning ahead in a child process hands over exactly the in-process plan."""

from __future__ import annotations

import os

import pytest

from leadloom.demo import ahead
from leadloom.demo.ahead import planned_ahead
from leadloom.demo.firmographics import SOURCES
from leadloom.demo.planner import plan_chunks
from leadloom.demo.users import DEMO_USERS
from leadloom.demo.workdays import AS_OF

USER_IDS = {u.username: i for i, u in enumerate(DEMO_USERS, start=1)}
SOURCE_IDS = {s.code: i for i, s in enumerate(SOURCES, start=1)}


def test_the_child_plans_the_same_chunks_in_the_same_order() -> None:
    here = list(plan_chunks(5, 700, USER_IDS, SOURCE_IDS, 200, AS_OF))
    there = list(planned_ahead(5, 700, USER_IDS, SOURCE_IDS, 200, AS_OF))
    assert [len(chunk) for chunk in there] == [200, 200, 200, 100]
    assert [len(c) for c in plan_chunks(5, 2600, USER_IDS, SOURCE_IDS, 1000, AS_OF)] == \
        [500, 1000, 1000, 100]
    assert there == here


def test_an_error_in_the_planner_reaches_the_parent() -> None:
    with pytest.raises(KeyError):
        list(planned_ahead(5, 50, {}, SOURCE_IDS, 20, AS_OF))  # no reps' ids


def test_a_killed_planner_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "POLL", 0.1)
    monkeypatch.setattr(ahead, "_plan_into", lambda *args: os._exit(3))
    with pytest.raises(ahead.PlannerDied, match="exited"):
        list(planned_ahead(5, 50, USER_IDS, SOURCE_IDS, 20, AS_OF))
