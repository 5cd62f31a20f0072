"""``task_rules`` (leads.yaml) and ``leave_records`` (a funnel stage) in the config: the
shipped ones load as written, and each mistake is named at its file, line and field."""

from __future__ import annotations

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.jsonschema import json_schemas
from tests.unit.metadata.test_bad_leads import CONFIG, _lines, broken

SALES = "funnels/sales.yaml"
CASES = [
    ("unknown-event", "leads.yaml", [("event: followup\n    when: \"kind == 'demo'\"",
                                      "event: call\n    when: \"kind == 'demo'\"")],
     ["leads.yaml:{event: call}: leads.task_rules.1.event: unknown event 'call' (known: "
      "followup, lead)"]),
    ("followup-option", "leads.yaml", [("when: \"kind == 'demo'\"", "when: \"kind == 'demos'\"")],
     ["leads.yaml:{kind == 'demos'}: leads.task_rules.1.when: 'demos' is not an option of kind "
      "(options: routine, demo, objection, quote) at column 9"]),
    ("lead-field-in-followup-rule", "leads.yaml", [(
        "when: \"kind == 'demo'\"", "when: \"kind == 'demo' and grade == 'A'\"")],
     ["leads.yaml:{and grade == 'A'}: leads.task_rules.1.when: unknown field 'grade' at "
      "column 20"]),
    ("task-kind", "leads.yaml", [("kind: send_materials", "kind: mail_it")],
     ["leads.yaml:{kind: mail_it}: leads.task_rules.1.kind: 'mail_it' is not an option of the "
      "task's kind (known: first_touch, cadence, next_action, objection_reply, "
      "send_materials, close_date, other)"]),
    ("due", "leads.yaml", [("due: 3wd", "due: 3 days")],
     ["leads.yaml:{due: 3 days}: leads.task_rules.1.due: '3 days' is not a duration: write "
      "48h, 7d or 3wd (working days)"]),
    ("role", "leads.yaml", [("assignee: author", "assignee: {role: boss}")],
     ["leads.yaml:{role: boss}: leads.task_rules.0.assignee.role: unknown role 'boss' (known: "
      "admin, finance, marketing, rep, supervisor)"]),
    ("author-of-a-lead", "leads.yaml", [("kind: close_date\n    assignee: owner",
                                         "kind: close_date\n    assignee: author  # the lead's")],
     ["leads.yaml:{author  # the lead's}: leads.task_rules.2.assignee: author is the "
      "follow-up's: use it with event: followup"]),
    ("done-when-field", "leads.yaml", [("is_empty(materials_sent_at)", "is_empty(materials)")],
     ["leads.yaml:{is_empty(materials)}: leads.task_rules.1.done_when: unknown field "
      "'materials' (did you mean 'materials_sent_at'?) at column 14"]),
    ("once-per", "leads.yaml", [("once_per: expected_close_date", "once_per: close_date")],
     ["leads.yaml:{once_per: close_date}: leads.task_rules.2.once_per: 'close_date' is not a "
      "lead field (once_per is for event: lead)"]),
    ("leave-records-option", SALES, [("where: {kind: demo}", "where: {kind: show}")],
     ["funnels/sales.yaml:{kind: show}: funnels.sales.stages.solution.leave_records.0.where."
      "kind: 'show' is not an option of 'kind' (known: demo, objection, quote, routine)"]),
    ("leave-records-link", SALES, [("link: lead, where", "link: summary, where")],
     ["funnels/sales.yaml:{link: summary}: funnels.sales.stages.solution.leave_records.0."
      "link: 'summary' must be a reference to 'lead'"]),
]


@pytest.mark.parametrize(("file", "edits", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_task_rules_and_exit_records(tmp_path, file, edits, expected):
    config = broken(tmp_path, file, edits)
    with pytest.raises(ConfigInvalid) as invalid:
        load_registry(config)
    assert sorted(str(e) for e in invalid.value.errors) == sorted(
        _lines(config / file, e) for e in expected)


def test_the_shipped_rules_load():
    registry = load_registry(CONFIG)
    rules = {r.code: r for r in registry.lead_rules.base.task_rules}
    assert [(r.event, r.kind, r.assignee, str(r.due)) for r in rules.values()] == [
        ("followup", "objection_reply", "author", "2wd"),
        ("followup", "send_materials", "owner", "3wd"),
        ("lead", "close_date", "owner", "1wd")]
    assert rules["demo_materials"].done_when.names == {"materials_sent_at"}
    solution = next(f for f in registry.funnels if f.name == "sales").stage("solution")
    assert [(n.entity, n.link, n.where) for n in solution.leave_records] == [
        ("followup", "lead", (("kind", "demo"),))]


def test_the_json_schemas_describe_both_blocks():
    schemas = json_schemas()
    assert "task_rules" in schemas["leads"]["properties"]
    assert "leave_records" in schemas["funnel"]["$defs"]["Stage"]["properties"]
