"""Every declared section has code and a template partial; the helpers that format and
escape what templates print."""

from __future__ import annotations

from pathlib import Path

from leadloom.metadata.reports import SECTIONS
from leadloom.reporting import formats
from leadloom.reporting.sections import SECTIONS as IMPLEMENTED

TEMPLATES = Path(__file__).resolve().parents[3] / "reports" / "templates"


def test_every_declared_section_is_implemented_and_has_a_partial() -> None:
    assert set(IMPLEMENTED) == set(SECTIONS)
    for name in SECTIONS:
        assert (TEMPLATES / "sections" / f"{name}.html").is_file(), name


def test_shipped_report_templates_extend_the_base() -> None:
    for name in ("weekly_funnel", "monthly_review", "stale_leads", "finance_monthly"):
        text = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
        assert text.startswith('{% extends "base.html" %}'), name


def test_css_strings_cannot_break_out_of_the_header() -> None:
    escaped = formats.css_string('王强 "x" </style><script>\\')
    assert '"' not in escaped and "<" not in escaped and ">" not in escaped
    assert escaped.startswith("王强 ")


def test_numbers() -> None:
    assert formats.money(1234567.8) == "¥123.5万"
    assert formats.money(1234567.8, "en") == "¥1,234,568"
    assert formats.money(None) == "—"
    assert formats.percent(0.1234) == "12.3%"
    assert formats.points(-0.021) == "-2.1 pp"
