"""``quiet_hours`` in leads.yaml: times like 21:00, known notice kinds (alone or per grade)
as exemptions, the whole CRM only; each problem names file, line and field. The compiled
rule holds a notice made at night until the end, across midnight or not."""

from __future__ import annotations

import datetime as dt

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.lead_rules import QuietHours
from tests.unit.metadata.test_bad_leads import CONFIG, _lines, broken

SHIPPED = '# quiet_hours: {from: "21:00", to: "08:00", exempt: [sla_breach_a, assignment]}'


def quiet(text: str) -> tuple[str, str]:
    return SHIPPED, text


@pytest.mark.parametrize(("file", "edits", "expected"), [
    ("leads.yaml", [quiet('quiet_hours: {from: "9pm", to: "08:00",\n'
                          '              exempt: [sla_breach_a, sla_brech]}')],
     ["leads.yaml:{9pm}: leads.quiet_hours.from: '9pm' is not a time like '21:00'",
      "leads.yaml:{sla_brech}: leads.quiet_hours.exempt.1: unknown notice 'sla_brech': use "
      "a kind such as sla_breach, or sla_breach_a"]),
    ("leads.yaml", [quiet('quiet_hours: {from: "21:00", to: "21:00"}')],
     ["leads.yaml:{quiet_hours}: leads.quiet_hours.to: quiet hours end when they start: give "
      "another time"]),
    ("units/west.yaml", [("leads:\n", 'leads:\n  quiet_hours: {from: "22:00", to: "07:00"}\n')],
     ["units/west.yaml:{quiet_hours}: units.west.leads.quiet_hours: quiet hours are for the "
      "whole CRM: set them in leads.yaml"]),
], ids=["time-and-kind", "empty", "in-a-unit"])
def test_bad_quiet_hours(tmp_path, file, edits, expected):
    config = broken(tmp_path, file, edits)
    with pytest.raises(ConfigInvalid) as invalid:
        load_registry(config)
    assert sorted(str(e) for e in invalid.value.errors) == sorted(
        _lines(config / file, e) for e in expected)


def test_the_shipped_example_loads(tmp_path):
    config = broken(tmp_path, "leads.yaml", [quiet(SHIPPED[2:])])
    rules = load_registry(config).lead_rules
    assert rules.quiet_hours == QuietHours(dt.time(21), dt.time(8), ("sla_breach_a",
                                                                     "assignment"))
    assert load_registry(CONFIG).lead_rules.quiet_hours is None  # shipped commented out


@pytest.mark.parametrize(("start", "end", "local", "release"), [
    (21, 8, "2024-06-03 22:30", "2024-06-04 08:00"),
    (21, 8, "2024-06-04 07:59", "2024-06-04 08:00"),
    (21, 8, "2024-06-04 08:00", None),
    (21, 8, "2024-06-03 20:59", None),
    (12, 14, "2024-06-03 12:30", "2024-06-03 14:00"),
    (12, 14, "2024-06-03 14:30", None),
])
def test_a_notice_waits_for_the_end_of_the_quiet_hours(start, end, local, release):
    hours = QuietHours(dt.time(start), dt.time(end))
    found = hours.release(dt.datetime.fromisoformat(local))
    assert found == (dt.datetime.fromisoformat(release) if release else None)


def test_exemptions_by_kind_or_kind_and_grade():
    hours = QuietHours(dt.time(21), dt.time(8), ("sla_breach_a", "assignment"))
    assert hours.exempts("sla_breach", "A") and hours.exempts("assignment", None)
    assert not hours.exempts("sla_breach", "B") and not hours.exempts("sla_warning", "A")
