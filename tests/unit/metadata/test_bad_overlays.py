"""The bad-config corpus, continued: business-unit overlays (``units/<unit>.yaml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.metadata.test_bad_configs import Case, _copy, _errors, put

EAST = "units/east.yaml"
HEAD = "unit: east\nzh: 华东大区\nen: East\nteams:\n  east-1: {zh: 华东一组, en: East team 1}\n"


def east(overlay: str) -> tuple:
    """units/east.yaml with an ``entities:`` overlay (its first line is line 6)."""
    return (put(EAST, HEAD + "entities:\n" + overlay),)


CASES = [
    Case("overlay-unknown-entity", east("  leed:\n    hide: [notes]\n"), (
        f"{EAST}:7: units.east.entities.leed: unknown entity 'leed' "
        "(known: account, lead, source, tag)",
    )),
    Case("overlay-hide-unknown-field", east("  lead:\n    hide: [nots]\n"), (
        f"{EAST}:8: units.east.entities.lead.hide.0: unknown field 'nots' (known: name, notes, "
        "headcount, score, budget, is_hot, expected_on, contacted_at, industry, channels, "
        "email, phone, source, assignee, need_tags, account)",
    )),
    Case("overlay-field-already-in-base", east(
        "  lead:\n    fields:\n      notes: {type: text, zh: 备注, en: Notes}\n"), (
        f"{EAST}:9: units.east.entities.lead.fields.notes: 'notes' is already a field of "
        "'lead': relabel it under labels:",
    )),
    Case("overlay-field-bad-type", east(
        "  lead:\n    fields:\n      term: {type: intger, zh: 期限, en: Term}\n"), (
        f"{EAST}:9: units.east.entities.lead.fields.term.type: unknown type 'intger' (known: "
        "string, text, integer, decimal, money, boolean, date, datetime, enum, multi_enum, "
        "email, phone, reference, user, tags)",
    )),
    Case("overlay-field-bad-default", east(
        "  lead:\n    fields:\n      term: {type: integer, zh: 期限, en: Term, max: 12,"
        " default: 24}\n"), (
        f"{EAST}:9: units.east.entities.lead.fields.term.default: default 24 is above max 12",
    )),
    Case("overlay-relabel-unknown-field", east(
        "  lead:\n    labels:\n      nam: {zh: 企业, en: Company}\n"), (
        f"{EAST}:9: units.east.entities.lead.labels.nam: unknown field 'nam' (known: name, "
        "notes, headcount, score, budget, is_hot, expected_on, contacted_at, industry, "
        "channels, email, phone, source, assignee, need_tags, account)",
    )),
    Case("overlay-relabel-hidden-field", east(
        "  lead:\n    hide: [notes]\n    labels:\n      notes: {zh: 说明, en: Remarks}\n"), (
        f"{EAST}:10: units.east.entities.lead.labels.notes: 'notes' is hidden in this unit: "
        "relabel or hide, not both",
    )),
    Case("overlay-hide-required-field", east("  lead:\n    hide: [name]\n"), (
        f"{EAST}:8: units.east.entities.lead.hide.0: 'name' is required: give it a default "
        "before hiding it",
    )),
    Case("overlay-options-on-text-field", east(
        "  lead:\n    options:\n      notes: {deactivate: [x]}\n"), (
        f"{EAST}:9: units.east.entities.lead.options.notes: 'notes' has no options: it is a "
        "text field",
    )),
    Case("overlay-option-added-twice", east(
        "  lead:\n    options:\n      industry:\n        add:\n"
        "          - {code: it, zh: 信息, en: IT}\n"), (
        f"{EAST}:11: units.east.entities.lead.options.industry.add.0.code: option 'it' "
        "already exists",
    )),
    Case("overlay-deactivate-unknown-option", east(
        "  lead:\n    options:\n      industry: {deactivate: [mining]}\n"), (
        f"{EAST}:9: units.east.entities.lead.options.industry.deactivate.0: unknown option "
        "'mining' (known: it, manufacturing, other)",
    )),
    Case("overlay-conflicting-relabel", east(
        "  lead:\n    options:\n      industry:\n        add:\n"
        "          - {code: chips, zh: 芯片, en: Chips}\n"
        "        labels:\n          chips: {zh: 半导体, en: Semiconductors}\n"), (
        f"{EAST}:13: units.east.entities.lead.options.industry.labels.chips: option 'chips' "
        "is added here: give its labels under add:",
    )),
    Case("overlay-unknown-section", east("  lead:\n    sections: [detail, misc]\n"), (
        f"{EAST}:8: units.east.entities.lead.sections.1: unknown section 'misc' "
        "(known: basic, detail)",
    )),
    Case("overlay-unknown-key", east("  lead:\n    hidden: [notes]\n"), (
        f"{EAST}:8: units.east.entities.lead.hidden: unknown key 'hidden' "
        "(did you mean 'hide'?)",
    )),
    Case("overlay-units-disagree-on-a-field", (
        *east("  lead:\n    fields:\n      term: {type: integer, zh: 期限, en: Term}\n"),
        put("units/west.yaml", "unit: west\nzh: 西部\nen: West\nentities:\n  lead:\n"
            "    fields:\n      term: {type: string, zh: 期限, en: Term}\n")), (
        "units/west.yaml:7: units.west.entities.lead.fields.term: 'term' differs from unit "
        "'east' in 'type': one column, one definition",
    )),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_overlay(case: Case, tmp_path: Path) -> None:
    root = _copy(tmp_path)
    for edit in case.edits:
        edit(root)
    assert [str(e) for e in _errors(root)] == list(case.expected)
