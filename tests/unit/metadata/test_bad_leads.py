"""Bad lead rules (``config/leads.yaml`` and units' ``leads:``): each case breaks a copy of
the default config and names the exact lines ``leadloom check`` prints for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry

CONFIG = Path(__file__).resolve().parents[3] / "config"
STATUSES = ("new, to_verify, unassigned, assigned, contacting, nurturing, converted, won, lost, "
            "invalid")
PATTERN = '"{source.code}-{created_at:%Y%m%d}-{seq:3}"'

#: (id, file, [(old, new)], expected lines)
CASES = [
    ("unknown-field", "leads.yaml", [('"industry not in', '"industri not in')],
     ["leads.yaml:42: leads.screening.rules.0.when: unknown field 'industri' (did you mean "
      "'industry'?) at column 1"]),
    ("option-literal", "leads.yaml", [(
        'when: "not bnau_known"\n      value: null\n    - when: >-',
        "when: \"not bnau_known\"\n      value: null\n    - when: budget_status == 'enough'\n"
        "      value: B\n    - when: >-")],
     ["leads.yaml:82: leads.grading.grade.1.when: 'enough' is not an option of budget_status "
      "(options: sufficient, to_confirm, unclear) at column 18"]),
    ("unknown-function", "leads.yaml",
     [('"is_empty(contact_phone) and is_empty(contact_email)"', '"blank(contact_phone)"')],
     ["leads.yaml:51: leads.screening.rules.3.when: unknown function 'blank' at column 1"]),
    ("syntax", "leads.yaml", [('"is_decision_maker == false"', '"is_decision_maker =="')],
     ["leads.yaml:48: leads.screening.rules.2.when: syntax error: invalid syntax at column 21"]),
    ("grade-value", "leads.yaml", [("value: A\n", "value: AA\n")],
     ["leads.yaml:85: leads.grading.grade.1.value: 'AA' is not an option of grade "
      "(known: A, B, C)"]),
    ("let-clash", "leads.yaml", [("    bnau_known: >-", '    grade: "1"\n    bnau_known: >-')],
     ["leads.yaml:72: leads.grading.let.grade: 'grade' is already a field name"]),
    ("flag-code", "leads.yaml", [("- code: no_contact", "- code: no_phone")],
     ["leads.yaml:50: leads.screening.rules.3.code: 'no_phone' is not an option of "
      "screening_flags (known: non_target_industry, not_decision_maker, need_mismatch, "
      "no_contact, invalid_phone, invalid_email, invalid_value)"]),
    ("fuzzy-block", "leads.yaml", [("threshold: 0.92, action: warn", "threshold: 0.92, "
                                                                      "action: block")],
     ["leads.yaml:66: leads.duplicates.rules.4.action: a fuzzy match can only warn: "
      "action: warn"]),
    ("fuzzy-threshold", "leads.yaml", [("threshold: 0.92", "threshold: 1.5")],
     ["leads.yaml:66: leads.duplicates.rules.4.threshold: give a similarity from 0.5 to 1.0"]),
    ("unknown-role", "leads.yaml", [("to: {roles: [supervisor]}", "to: {roles: [manager]}")],
     ["leads.yaml:{roles: [manager]}: leads.assignment.rules.0.to.roles.0: unknown role "
      "'manager' (known: "
      "admin, finance, marketing, rep, supervisor)"]),
    ("unknown-unit", "leads.yaml", [("unit: east}", "unit: north}")],
     ["leads.yaml:{unit: north}: leads.assignment.territories.0.unit: unknown unit 'north' "
      "(known: east, west)"]),
    ("unknown-default-unit", "leads.yaml", [("default_unit: east", "default_unit: south")],
     ["leads.yaml:{default_unit: south}: leads.assignment.default_unit: unknown unit 'south' "
      "(known: east, west)"]),
    ("unknown-customer-key", "leads.yaml", [("existing_customer: [phone, email, company]",
                                             "existing_customer: [phone, wechat]")],
     ["leads.yaml:{existing_customer: [phone, wechat]}: leads.assignment.existing_customer.1: "
      "unknown key 'wechat' (known: phone, email, company)"]),
    ("territory-in-a-unit", "units/west.yaml", [("  assignment:\n", "  assignment:\n"
                                                 "    default_unit: west\n")],
     ["units/west.yaml:{default_unit: west}: units.west.leads.assignment.default_unit: which "
      "unit a lead belongs to is for the whole CRM: set it in leads.yaml"]),
    ("weighted-by-role", "leads.yaml", [("[supervisor]}\n      strategy: round_robin",
                                         "[supervisor]}\n      strategy: weighted")],
     ["leads.yaml:{strategy: weighted}: leads.assignment.rules.0.strategy: weighted needs "
      "users with weights: "
      "to: {users: {rep1: 2, rep2: 1}}"]),
    ("unknown-preset", "leads.yaml", [("preset: by_grade", "preset: by_grades")],
     ["leads.yaml:{preset: by_grades}: leads.sla.first_touch.preset: unknown preset "
      "'by_grades' (known: by_grade, uniform_3wd, uniform_24h)"]),
    ("bad-duration", "leads.yaml", [("by_grade: {A: 48h,", "by_grade: {A: 48 hours,")],
     ["leads.yaml:{A: 48 hours}: leads.sla.first_touch.presets.by_grade.A: '48 hours' is not a "
      "duration: write 48h, 7d or 3wd (working days)"]),
    ("unknown-grade", "leads.yaml", [("{A: 3d, B: 7d, C: 30d, default: 7d}", "{A: 3d, B: 7d, "
                                                                          "D: 30d}")],
     ["leads.yaml:{D: 30d}: leads.sla.cadence.presets.cadence_s1: give every grade a duration, "
      "or a 'default'",
      "leads.yaml:{D: 30d}: leads.sla.cadence.presets.cadence_s1.D: 'D' is not a grade (known: "
      "A, B, C, default)"]),
    ("no-seq", "leads.yaml", [(PATTERN, '"{source.code}-{created_at:%Y%m%d}"')],
     ["leads.yaml:33: leads.numbering.pattern: put exactly one {seq:N} in the pattern, e.g. "
      "{seq:3}"]),
    ("bad-tokens", "leads.yaml", [(PATTERN, '"{source.name_cn}-{created:%Y}-{seq:3}"')],
     ["leads.yaml:33: leads.numbering.pattern: {created}: the lead has no field 'created'",
      "leads.yaml:33: leads.numbering.pattern: {source.name_cn}: 'source' has no field "
      "'name_cn'"]),
    ("unknown-status", "leads.yaml", [("open_statuses: [new,", "open_statuses: [fresh,")],
     [f"leads.yaml:28: leads.open_statuses.0: 'fresh' is not an option of status (known: "
      f"{STATUSES})"]),
    ("reclaim-exclude", "leads.yaml", [("'won', 'lost', 'invalid']", "'closed']")],
     [f"leads.yaml:{{exclude: }}: leads.pools.reclaim.exclude: 'closed' is not an option of status "
      f"(options: {STATUSES}) at column 25"]),
    ("day-twice", "leads.yaml", [("  holidays: []", '  holidays: ["2027-02-07"]'),
                                 ("  workdays: []", '  workdays: ["2027-02-07"]')],
     ["leads.yaml:18: leads.calendar.workdays: 2027-02-07 is also listed in holidays"]),
    ("unknown-key", "leads.yaml", [("open_statuses: [", "open_status: [new]\nopen_statuses: [")],
     ["leads.yaml:28: leads.open_status: unknown key 'open_status' (did you mean "
      "'open_statuses'?)"]),
    ("schedule", "leads.yaml", [('reclaim: "0 2 * * *"', 'reclaim: "at two"'),
                                ('digest: "30 8 * * 1-5"', 'digist: "30 8 * * 1-5"')],
     ["leads.yaml:{at two}: leads.schedule.reclaim: 'at two' is not a cron expression like "
      "'0 2 * * *'",
      "leads.yaml:{digist}: leads.schedule.digist: unknown job 'digist' (known: reclaim, "
      "sla, stale, tasks, digest)"]),
    ("missing-field", "entities/lead.yaml", [(
        "  followup_count: {type: integer, zh: 跟进次数, en: Follow-ups, system: true,\n"
        "                   section: lifecycle}\n", "")],
     ["leads.yaml:15: leads: needs field 'followup_count' on entity 'lead'"]),
    ("unit-unknown-key", "units/west.yaml", [("{preset: uniform_3wd}",
                                              "{preset: uniform_3wd, warn: 1d}")],
     ["units/west.yaml:{warn: 1d}: units.west.leads.sla.first_touch.warn: unknown key 'warn' "
      "(did you mean 'warn_days'?)"]),
    ("unit-preset", "units/west.yaml", [("{preset: cadence_s0}", "{preset: cadence_s9}")],
     ["units/west.yaml:{cadence_s9}: units.west.leads.sla.cadence.preset: unknown preset "
      "'cadence_s9' "
      "(known: cadence_s1, cadence_s0)"]),
    ("unit-field-of-another-unit", "units/west.yaml", [(
        "when: \"grade != 'C'\"\n        to: {users",
        "when: \"contract_term_months > 12\"\n        to: {users")],
     ["units/west.yaml:{contract_term_months}: units.west.leads.assignment.rules.1.when: "
      "unknown field "
      "'contract_term_months' (did you mean 'contact_title'?) at column 1"]),
]


def broken(tmp_path: Path, file: str, edits: list[tuple[str, str]]) -> Path:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    path = config / file
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize(("file", "edits", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_lead_rules(tmp_path, file, edits, expected):
    config = broken(tmp_path, file, edits)
    with pytest.raises(ConfigInvalid) as invalid:
        load_registry(config)
    assert sorted(str(e) for e in invalid.value.errors) == sorted(
        _lines(config / file, e) for e in expected)


def _lines(path: Path, expected: str) -> str:
    """``file:{marker}: …`` → the line of the marker: unit files are shared with other
    config, so their line numbers are found, not hard-coded."""
    if ":{" not in expected:
        return expected
    head, _, rest = expected.partition(":{")
    marker, _, tail = rest.partition("}:")
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if marker in line)
    return f"{head}:{number}:{tail}"


def test_a_unit_may_use_its_own_fields(tmp_path):
    config = broken(tmp_path, "units/east.yaml", [(
        "    reclaim: {after_days: 60}\n",
        "    reclaim: {after_days: 60, exclude: \"contract_term_months >= 24\"}\n")])
    rules = load_registry(config).lead_rules
    assert rules.for_unit("east").pools.reclaim_exclude.names == {"contract_term_months"}
    assert rules.for_unit("west").pools.reclaim_exclude.names == {
        "status", "stage_position", "open_contracts", "open_approvals", "protected_until"}


def test_overlays_merge_key_by_key(tmp_path):
    rules = load_registry(CONFIG).lead_rules
    west, east = rules.for_unit("west"), rules.for_unit("east")
    assert (west.sla.first_touch_preset, west.sla.cadence_preset) == ("uniform_3wd",
                                                                      "cadence_s0")
    assert west.sla.stale_after_days == 30 and west.pools.reclaim_after_days == 45
    assert east.pools.reclaim_after_days == 60 and east.sla.first_touch_preset == "by_grade"
    assert [r.strategy for r in west.assignment.rules] == ["round_robin", "weighted"]
    assert rules.for_unit(None) is rules.base


def test_every_job_a_schedule_names_exists():
    from leadloom.metadata.lead_rules import JOB_NAMES
    from leadloom.records.leads.periodic import JOBS

    assert tuple(JOBS) == JOB_NAMES
    assert dict(load_registry(CONFIG).lead_rules.schedule)["reclaim"] == "0 2 * * *"
