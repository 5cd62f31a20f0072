"""The workflow's pure decisions: move kinds and what a move needs, approval progress for
sequential, parallel and N-of-M steps, and who stands in which step."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadloom.access import Actor
from leadloom.metadata import load_registry
from leadloom.metadata.funnels import funnel_for
from leadloom.metadata.registry import Label
from leadloom.metadata.workflows import Step, Workflow
from leadloom.workflow.approvals import APPROVE, REJECT, Place, in_step, progress, step_for
from leadloom.workflow.conditions import conditions_for
from leadloom.workflow.stages import move_kind, requirements

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def registry():
    return load_registry(CONFIG)


@pytest.fixture(scope="module")
def sales(registry):
    return funnel_for(registry.funnels, "lead", "east")


def test_move_kinds(sales):
    stage = sales.stage
    assert move_kind(sales, stage("capture"), stage("discovery")) == "next"
    assert move_kind(sales, stage("capture"), stage("negotiation")) == "skip"
    assert move_kind(sales, stage("negotiation"), stage("discovery")) == "back"
    assert move_kind(sales, stage("capture"), stage("lost")) == "next"


def test_what_a_move_needs(sales):
    stage = sales.stage
    assert requirements(sales, stage("negotiation"), stage("signing"), "next") == (
        ("expected_amount", "expected_close_date"), ())
    # a skip needs what the stages it jumps over need
    leave, enter = requirements(sales, stage("capture"), stage("negotiation"), "skip")
    assert leave == ("grade", "budget_status", "need_clarity", "authority",
                     "purchase_timeline", "expected_amount")
    assert enter == ("expected_amount",)
    # losing or going back needs only what the target needs
    assert requirements(sales, stage("negotiation"), stage("lost"), "next") == (
        (), ("lost_reason",))
    assert requirements(sales, stage("negotiation"), stage("discovery"), "back") == ((), ())


def test_conditions_read_the_record(registry):
    conditions = conditions_for(registry)
    assert conditions_for(registry) is conditions
    assert conditions.holds("lead", "discount_pct > 5", {"discount_pct": 6})
    assert not conditions.holds("lead", "discount_pct > 5", {"discount_pct": None})
    assert conditions.holds("lead", None, {})


def flow(order, *steps):
    return Workflow("f", Label("流", "Flow"), "lead", steps=tuple(
        Step(Label(f"第{i}步", f"step {i}"), role, relation, required)
        for i, (role, relation, required) in enumerate(steps)), order=order)


def test_sequential_steps_wait_in_turn():
    f = flow("sequential", ("supervisor", "owner_team", 1), ("finance", None, 1))
    assert progress(f, []).open_steps == (0,)
    assert progress(f, [(0, APPROVE)]).open_steps == (1,)
    assert progress(f, [(0, APPROVE), (1, APPROVE)]).done
    assert progress(f, [(0, REJECT)]).open_steps == (0,)


def test_parallel_steps_and_n_of_m():
    f = flow("parallel", ("supervisor", None, 2), ("finance", None, 1))
    assert progress(f, []).open_steps == (0, 1)
    half = progress(f, [(1, APPROVE), (0, APPROVE)])
    assert half.open_steps == (0,) and half.counts == (1, 1)
    assert progress(f, [(1, APPROVE), (0, APPROVE), (0, APPROVE)]).done


def test_who_stands_in_a_step():
    place = Place(owner_id=3, owner_team="east-1", unit="east")
    sup1 = Actor(2, "sup1", ("supervisor",), team="east-1", unit="east")
    sup2 = Actor(5, "sup2", ("supervisor",), team="west-1", unit="west")
    fin1 = Actor(8, "fin1", ("finance",))
    team = Step(Label("主管", "Supervisor"), "supervisor", "owner_team")
    assert in_step(team, sup1, place) and not in_step(team, sup2, place)
    assert not in_step(team, fin1, place)
    assert in_step(Step(Label("财务", "Finance"), "finance"), fin1, place)
    assert in_step(Step(Label("本人", "Owner"), None, "owner"), Actor(3, "rep1", ("rep",)),
                   place)
    assert not in_step(team, Actor.system_actor(), place)
    f = flow("parallel", ("supervisor", "owner_team", 1), ("finance", None, 1))
    state = progress(f, [])
    assert step_for(f, state, fin1, place) == 1 and step_for(f, state, sup2, place) is None
