"""The lead rules' fingerprint changes exactly when a rule stored values come from changes
(calendar, grading, the SLA presets in force, a unit's overlay of them, reclaim), and not
for the rest (numbering, a preset not in force, the schedule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadloom.metadata import load_registry
from leadloom.metadata.files import read_folder

CONFIG = Path(__file__).resolve().parents[3] / "config"

CHANGES = [
    ("holiday", "leads.yaml", "  holidays: []", '  holidays: ["2027-02-08"]', True),
    ("workday", "leads.yaml", "  workdays: []", '  workdays: ["2027-02-07"]', True),
    ("first-touch-preset", "leads.yaml", "    preset: by_grade\n", "    preset: uniform_24h\n",
     True),
    ("cadence-preset", "leads.yaml", "    preset: cadence_s1\n", "    preset: cadence_s0\n",
     True),
    ("preset-in-force", "leads.yaml", "by_grade: {A: 48h,", "by_grade: {A: 24h,", True),
    ("warn-before", "leads.yaml", "warn_before: {A: 4h,", "warn_before: {A: 2h,", True),
    ("grading", "leads.yaml", "      value: A\n", "      value: B\n", True),
    ("reclaim", "leads.yaml", "    after_days: 45", "    after_days: 60", True),
    ("unit-overlay", "units/west.yaml", "first_touch: {preset: uniform_3wd}",
     "first_touch: {preset: uniform_24h}", True),
    ("preset-not-in-force", "leads.yaml", "uniform_24h: {default: 24h}",
     "uniform_24h: {default: 12h}", False),
    ("numbering", "leads.yaml", 'pattern: "{source.code}-{created_at:%Y%m%d}-{seq:3}"',
     'pattern: "{source.code}{seq:4}"', False),
    ("schedule", "leads.yaml", 'digest: "30 8 * * 1-5"', 'digest: "0 9 * * 1-5"', False),
    ("claims", "leads.yaml", "claims_per_day: 20", "claims_per_day: 30", False),
]


@pytest.mark.parametrize(("name", "file", "old", "new", "changes"), CHANGES,
                         ids=[c[0] for c in CHANGES])
def test_the_fingerprint_follows_the_derivation_rules(name, file, old, new, changes):
    files = read_folder(CONFIG)
    text = files.get(file)
    assert text.count(old) == 1, name
    before = load_registry(files).lead_rules.fingerprint
    after = load_registry(files.with_text(file, text.replace(old, new))).lead_rules.fingerprint
    assert (before != after) is changes
