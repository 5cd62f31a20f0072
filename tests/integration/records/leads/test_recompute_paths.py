"""A publish or a rollback that changes the rules derived values come from recomputes the
open leads (frozen clock, around the 2024 National Day holiday and its 调休 Sunday 09-29):
each stored value equals a fresh computation under the active version; closed leads keep
theirs; a rollback restores; a publish that changes none of those rules recomputes nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.access import Actor
from leadloom.metadata.files import read_folder
from leadloom.model import build_models
from leadloom.records import Context, create, update
from leadloom.records.leads.derived import DERIVED_FIELDS, derive, lead_values, override_times
from leadloom.records.leads.recompute import DONE, UNCHANGED, recompute, run_of
from tests.helpers import replace_once

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
B = {"need_clarity": "partial", "budget_status": "to_confirm"}


def edit_config(folder):
    """Nothing yet: the test changes the rules and publishes them, step by step."""


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text) - dt.timedelta(hours=8)


def publish(world, message, number=None):
    """Publish the config folder (or roll back to ``number``) and recompute as a job."""
    world.session.commit()
    engine = sa.create_engine(world.session.get_bind().url)
    if number is None:
        lifecycle.publish(engine, read_folder(world.config), author="admin", message=message)
    else:
        lifecycle.rollback(engine, number, author="admin")
    registry = lifecycle.active_registry(engine, world.config, upgrade=False)
    models = build_models(registry)
    with Session(engine) as session:
        recompute(Context(Actor.system_actor(), session, models, channel="job"))
        run = run_of(session, models, registry.version)
    engine.dispose()
    world.session.expire_all()
    return run, registry


def fresh(world, registry, lead_id):
    """The lead's derived values computed now under ``registry``'s rules."""
    row = world.row("lead", lead_id)
    entity = registry.entity("lead")
    override = override_times(world.session, world.models,
                              {row.id: row.grade_override} if row.grade_override else {})
    return derive(registry.lead_rules.for_unit(row.unit), lead_values(entity, row),
                  override.get(row.id), world.freeze("2024-09-29 12:00"))


def stored(world, lead_id):
    row = world.row("lead", lead_id)
    return {code: row._mapping[code] for code in DERIVED_FIELDS}


def open_task_due(world, lead_id, kind):
    task = world.models.cls("task").__table__
    return world.session.scalar(sa.select(task.c.due_at).where(
        task.c.lead_id == lead_id, task.c.kind == kind, task.c.status.in_(("todo", "overdue"))))


def audited(world, lead_id, version):
    """The fields the audit trail saw change on the lead under config ``version``."""
    audit = world.models.metadata.tables["ll_audit"]
    return {field for changes in world.session.scalars(sa.select(audit.c.changes).where(
        audit.c.entity == "lead", audit.c.record_id == lead_id,
        audit.c.config_version == version)) for field in changes}


def audited_tasks(world, lead_id, version):
    audit = world.models.metadata.tables["ll_audit"]
    task = world.models.cls("task").__table__
    return list(world.session.scalars(sa.select(audit.c.changes).where(
        audit.c.entity == "task", audit.c.config_version == version,
        audit.c.record_id.in_(sa.select(task.c.id).where(task.c.lead_id == lead_id)))))


def followup(world, lead, occurred):
    create(world.ctx("rep1"), "followup", {
        "lead": lead.id, "occurred_at": occurred, "method": "phone",
        "summary": "电话沟通需求", "customer_feedback": "interested"})


def test_every_path_recomputes_to_the_active_rules(world):
    world.freeze("2024-09-27 16:00")  # a Friday; Sat 09-28 off, Sun 09-29 a 调休 workday
    plain = create(world.ctx("rep1"), "lead", world.lead(**B))
    keen = create(world.ctx("rep1"), "lead", world.lead(**A))
    closed = create(world.ctx("rep1"), "lead", world.lead(**B))
    update(world.ctx("rep1"), "lead", closed.id, {"status": "lost", "lost_reason": "price"})
    contacted = create(world.ctx("rep1"), "lead", world.lead(**B))
    followup(world, contacted, local("2024-09-27 15:00"))
    overridden = create(world.ctx("rep1"), "lead", world.lead(**B))
    world.freeze("2024-09-29 10:00")  # the supervisor makes it an A on the 调休 Sunday
    update(world.ctx("sup1"), "lead", overridden.id, {"grade": "A", "grade_reason": "老客户转介"})
    leads = [plain.id, keen.id, contacted.id, overridden.id]
    # the override re-bases the first touch: 48 h from the override, not the assignment
    assert world.row("lead", overridden.id).first_touch_due_at == local("2024-10-01 10:00")
    assert open_task_due(world, overridden.id, "first_touch") == local("2024-10-01 10:00")
    before_closed = stored(world, closed.id)
    original = {pk: stored(world, pk) for pk in leads}
    world.freeze("2024-09-29 12:00")

    def check(registry):
        for pk in leads:
            assert stored(world, pk) == fresh(world, registry, pk), pk
        assert stored(world, closed.id) == before_closed
        for pk in leads:
            row = world.row("lead", pk)
            if row.first_contact_at is None:
                assert open_task_due(world, pk, "first_touch") == row.first_touch_due_at
            else:
                assert open_task_due(world, pk, "cadence") == row.next_followup_due_at

    # 1. SLA presets: 3 working days to the first touch, the slower cadence
    leads_yaml = world.config / "leads.yaml"
    replace_once(leads_yaml, "    preset: by_grade\n", "    preset: uniform_3wd\n")
    replace_once(leads_yaml, "    preset: cadence_s1\n", "    preset: cadence_s0\n")
    run, registry = publish(world, "3 working days")
    assert run.state == DONE and run.checked == 4 and run.due_changed == 4
    check(registry)
    assert world.row("lead", plain.id).first_touch_due_at == local("2024-10-08 18:00")
    assert world.row("lead", overridden.id).first_touch_due_at == local("2024-10-09 18:00")
    assert world.inbox("rep1")[-1].startswith("配置 v2 生效：你的 4 条线索")
    history = [e for e in world.events(plain.id) if e.kind == "deadline"]
    assert (history[-1].new, history[-1].reason) == ("2024-10-08 18:00", "config v2")
    # the lead and its first-touch task changed through the write path: audited
    assert "first_touch_due_at" in audited(world, plain.id, 2)
    assert any("due_at" in changes for changes in audited_tasks(world, plain.id, 2))

    # 2. a holiday the calendar package does not know: 10-08 off too
    replace_once(leads_yaml, "  holidays: []", '  holidays: ["2024-10-08"]')
    run, registry = publish(world, "extra day off")
    check(registry)
    assert world.row("lead", plain.id).first_touch_due_at == local("2024-10-09 18:00")

    # 3. grading: a budget to confirm is enough for an A when the need is partly known
    replace_once(leads_yaml, "  grade:                    # BNAU (R-06, C-08)\n",
                 "  grade:                    # BNAU (R-06, C-08)\n"
                 "    - when: \"need_clarity == 'partial' and budget_status == 'to_confirm'\"\n"
                 "      value: A\n")
    run, registry = publish(world, "partial needs are A")
    check(registry)
    assert run.grade_changed == 2  # plain and contacted; the override stays in force
    row = world.row("lead", plain.id)
    assert (row.grade, row.grade_auto) == ("A", "A")
    grade = [e for e in world.events(plain.id) if e.kind == "grade"][-1]
    assert (grade.old, grade.new, grade.reason) == ("B", "A", "config v4")
    assert world.row("lead", overridden.id).grade_override is None  # the rules agree now

    # a label-only publish recomputes nothing
    replace_once(world.config / "entities" / "lead.yaml", "zh: 备注,", "zh: 备注说明,")
    run, _ = publish(world, "label only")
    assert (run.state, run.checked) == (UNCHANGED, 0)

    # 4. rolling back to version 1 restores every open lead's values of then
    run, registry = publish(world, "", number=1)
    assert run.state == DONE
    check(registry)
    for pk in (plain.id, keen.id, contacted.id):
        assert stored(world, pk) == original[pk]
    messages = [m for m in world.inbox("rep1") if m.startswith("配置")]
    assert len(messages) == 4  # one per recomputing version, not one per lead
