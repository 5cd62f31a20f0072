"""Bad report declarations (``config/reports/*.yaml``): each case breaks a copy of
``tests/configs/basic`` plus one good report, and names the exact lines ``leadloom check``
prints for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.reports import SECTIONS, find_report

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"
FILE = "reports/weekly.yaml"
GOOD = """\
zh: 周报
en: Weekly
template: weekly.html
sections: [funnel_stages, stalled_leads]
parameters:
  period: week
  stall_days: 14
schedule:
  cron: "0 9 * * 1"
  timezone: Asia/Shanghai
recipients:
  roles: [supervisor]
  users: [sup1]
"""
SECTION_LIST = ", ".join(SECTIONS)
ROLES = "admin, finance, marketing, rep, supervisor"

#: (id, old snippet of GOOD, new snippet, expected lines)
CASES = [
    ("unknown-section", "[funnel_stages, stalled_leads]", "[funnel_stages, funnel]",
     [f"{FILE}:4: reports.weekly.sections.1: unknown section 'funnel' (known: {SECTION_LIST})"]),
    ("duplicate-section", "[funnel_stages, stalled_leads]", "[funnel_stages, funnel_stages]",
     [f"{FILE}:4: reports.weekly.sections.1: section 'funnel_stages' is listed twice"]),
    ("no-sections", "[funnel_stages, stalled_leads]", "[]",
     [f"{FILE}:4: reports.weekly.sections: name at least one section"]),
    ("unknown-role", "roles: [supervisor]", "roles: [supervisor, boss]",
     [f"{FILE}:12: reports.weekly.recipients.roles.1: unknown role 'boss' (known: {ROLES})"]),
    ("bad-user-name", "users: [sup1]", "users: ['sup 1']",
     [f"{FILE}:13: reports.weekly.recipients.users.0: 'sup 1' is not a user name"]),
    ("bad-cron", '"0 9 * * 1"', '"0 9 * * mon-funday"',
     [f"{FILE}:9: reports.weekly.schedule.cron: '0 9 * * mon-funday' is not a cron "
      "expression like '0 9 * * 1'"]),
    ("cron-with-seconds", '"0 9 * * 1"', '"0 0 9 * * 1"',
     [f"{FILE}:9: reports.weekly.schedule.cron: '0 0 9 * * 1' is not a cron expression "
      "like '0 9 * * 1'"]),
    ("unknown-timezone", "timezone: Asia/Shanghai", "timezone: Asia/Beijing",
     [f"{FILE}:10: reports.weekly.schedule.timezone: unknown time zone 'Asia/Beijing'"]),
    ("no-cron", '  cron: "0 9 * * 1"\n', "",
     [f"{FILE}:8: reports.weekly.schedule.cron: 'cron' is required"]),
    ("unknown-template", "template: weekly.html", "template: monthly.html",
     [f"{FILE}:3: reports.weekly.template: no template 'monthly.html' in reports/templates"]),
    ("template-path", "template: weekly.html", "template: ../../etc/passwd.html",
     [f"{FILE}:3: reports.weekly.template: '../../etc/passwd.html' is not a template file "
      "name like 'weekly.html'"]),
    ("no-template", "template: weekly.html\n", "",
     [f"{FILE}:1: reports.weekly.template: 'template' is required"]),
    ("unknown-period", "period: week", "period: fortnight",
     [f"{FILE}:6: reports.weekly.parameters.period: unknown period 'fortnight' "
      "(known: week, month, day)"]),
    ("unknown-unit", "period: week", "period: week\n  unit: north",
     [f"{FILE}:7: reports.weekly.parameters.unit: unknown unit 'north' (known: east, west)"]),
    ("unknown-team", "period: week", "period: week\n  team: east-9",
     [f"{FILE}:7: reports.weekly.parameters.team: unknown team 'east-9' "
      "(known: east-1, west-1)"]),
    ("team-outside-unit", "period: week", "period: week\n  unit: west\n  team: east-1",
     [f"{FILE}:8: reports.weekly.parameters.team: team 'east-1' is in unit 'east'"]),
    ("days-out-of-range", "stall_days: 14", "stall_days: 0",
     [f"{FILE}:7: reports.weekly.parameters.stall_days: give a number from 1 to 3650"]),
    ("unknown-parameter", "stall_days: 14", "stall_dayz: 14",
     [f"{FILE}:7: reports.weekly.parameters.stall_dayz: unknown key 'stall_dayz' "
      "(did you mean 'stall_days'?)"]),
    ("unknown-locale", "en: Weekly\n", "en: Weekly\nlocale: fr\n",
     [f"{FILE}:3: reports.weekly.locale: unknown locale 'fr' (known: zh, en)"]),
    ("schedule-without-recipients", "recipients:\n  roles: [supervisor]\n  users: [sup1]\n",
     "", [f"{FILE}:8: reports.weekly.schedule: a scheduled report needs recipients: "
          "roles or users"]),
    ("name-differs-from-file", "zh: 周报\n", "report: monthly\nzh: 周报\n",
     [f"{FILE}:1: reports.monthly.report: 'monthly' must match the file name 'weekly'"]),
]


def _config(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    (root / "reports").mkdir()
    (root / FILE).write_text(text, encoding="utf-8")
    templates = tmp_path / "reports" / "templates"
    templates.mkdir(parents=True)
    (templates / "weekly.html").write_text("{{ title }}", encoding="utf-8")
    return root


def test_good_report_loads(tmp_path: Path) -> None:
    registry = load_registry(_config(tmp_path, GOOD))
    report = find_report(registry.reports, "weekly")
    assert report.sections == ("funnel_stages", "stalled_leads")
    assert report.schedule is not None and report.schedule.cron == "0 9 * * 1"
    assert report.recipients.roles == ("supervisor",) and report.recipients.users == ("sup1",)
    assert report.parameters.stall_days == 14 and report.parameters.period == "week"


def test_schedule_time_zone_defaults_to_the_apps(tmp_path: Path) -> None:
    registry = load_registry(_config(tmp_path, GOOD.replace("  timezone: Asia/Shanghai\n", "")))
    assert find_report(registry.reports, "weekly").schedule.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("case", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_report(case: str, old: str, new: str, expected: list[str], tmp_path: Path) -> None:
    assert GOOD.count(old) == 1, old
    root = _config(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)
    assert [str(e) for e in raised.value.errors] == expected
    for error in raised.value.errors:
        assert len(error.message) < 80 or "(known:" in error.message, error.message


def test_shipped_reports_load() -> None:
    registry = load_registry(BASIC.parents[2] / "config")
    names = {r.name for r in registry.reports}
    assert names == {"weekly_funnel", "monthly_review", "stale_leads", "finance_monthly"}
    assert all(r.schedule and r.schedule.timezone == "Asia/Shanghai" for r in registry.reports)
