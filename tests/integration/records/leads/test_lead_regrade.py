"""Publishing new grading rules re-grades the open leads, once; closed leads keep theirs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.metadata.files import read_folder
from leadloom.model import build_models
from leadloom.records import Context, create, update
from leadloom.records.leads.regrade import apply_rule_changes
from tests.helpers import replace_once

PARTIAL = {"need_clarity": "partial", "budget_status": "to_confirm"}


def _publish(world, message):
    engine = sa.create_engine(world.session.get_bind().url)
    lifecycle.publish(engine, read_folder(world.config), author="admin", message=message)
    registry = lifecycle.active_registry(engine, world.config)
    return engine, build_models(registry)


def edit_config(folder):
    """Nothing yet: the test changes the rules and publishes them."""


def test_open_leads_follow_new_rules_closed_ones_do_not(world):
    config_copy = world.config
    world.freeze("2024-11-04 10:00")
    open_lead = create(world.ctx("rep1"), "lead", world.lead(**PARTIAL))
    due_before = open_lead.first_touch_due_at
    closed = create(world.ctx("rep1"), "lead", world.lead(**PARTIAL))
    update(world.ctx("rep1"), "lead", closed.id, {"status": "lost", "lost_reason": "price"})
    overridden = create(world.ctx("rep1"), "lead", world.lead(**PARTIAL))
    update(world.ctx("sup1"), "lead", overridden.id, {"grade": "C", "grade_reason": "竞品锁定"})
    assert open_lead.grade == closed.grade == "B"

    # the customer decides: a budget to confirm is enough for an A when the need is known
    replace_once(config_copy / "leads.yaml", "  grade:                    # BNAU (R-06, C-08)\n",
                 "  grade:                    # BNAU (R-06, C-08)\n"
                 "    - when: \"need_clarity == 'partial' and budget_status == 'to_confirm'\"\n"
                 "      value: A\n")
    engine, models = _publish(world, "partial needs are A")
    with Session(engine) as session:
        ctx = Context(world.ctx(None).actor, session, models, channel="publish")
        assert apply_rule_changes(ctx) >= 2
        assert apply_rule_changes(ctx) is None  # once per rule set
    world.session.expire_all()
    regraded = world.row("lead", open_lead.id)
    assert (regraded.grade, regraded.grade_auto) == ("A", "A")
    assert regraded.first_touch_due_at < due_before  # an A lead is due in 48 h, not 7 days
    event = [e for e in world.events(open_lead.id) if e.kind == "grade"][-1]
    assert (event.old, event.new, event.detail["source"]) == ("B", "A", "publish")
    assert world.row("lead", closed.id).grade == "B"
    kept = world.row("lead", overridden.id)
    assert (kept.grade, kept.grade_auto) == ("C", "A")

    # a version that changes no grading rule re-grades nothing
    replace_once(config_copy / "entities" / "lead.yaml", "zh: 备注,", "zh: 备注说明,")
    engine, models = _publish(world, "label only")
    with Session(engine) as session:
        assert apply_rule_changes(Context(world.ctx(None).actor, session, models)) is None
    engine.dispose()
