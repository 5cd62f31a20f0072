"""The bad-config corpus: each case breaks a copy of ``tests/configs/basic`` in one way and
names the exact lines ``leadloom check`` must print for it.

A case is data: an id, the edits (replace a snippet, write a file, delete a file) and the
expected ``file:line: path: message`` lines, in the order ``ConfigInvalid`` sorts them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadloom.metadata import ConfigError, ConfigInvalid, load_registry

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
BASIC = CONFIGS / "basic"

Edit = Callable[[Path], None]


def sub(file: str, old: str, new: str) -> Edit:
    """Replace ``old`` (which must occur exactly once) in ``file``."""

    def edit(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def put(file: str, text: str | bytes) -> Edit:
    """Create or overwrite ``file``."""

    def edit(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return edit


def drop(file: str) -> Edit:
    """Delete ``file``."""
    return lambda root: (root / file).unlink()


def entity(code: str) -> str:
    """A minimal valid entity file declaring ``code``."""
    return (f"entity: {code}\nzh: 测试\nen: Test\nmenu: sales\n"
            f"fields:\n  name: {{type: string, zh: 名称, en: Name}}\n")


@dataclass(frozen=True)
class Case:
    id: str
    edits: tuple[Edit, ...]
    expected: tuple[str, ...]


LEAD = "entities/lead.yaml"
SOURCE = "entities/source.yaml"
ROLES = "roles.yaml"
APP = "app.yaml"
OPTIONS = "options.yaml"
EAST = "units/east.yaml"
TYPES = ("string, text, integer, decimal, money, boolean, date, datetime, enum, multi_enum, "
         "email, phone, reference, user, tags")
LEAD_FIELDS = ("account, assignee, budget, channels, contacted_at, email, expected_on, "
               "headcount, industry, is_hot, name, need_tags, notes, phone, score, source")
ENTITIES = "account, lead, source, tag"
NOTES = "  notes: {type: text, zh: 备注, en: Notes, section: detail}\n"
HEADCOUNT = "min: 0, max: 100000,"
SCORE_DEFAULT = "max: 100, default: 50,"
EXPECTED_ON = "min: 2020-01-01,"
INDUSTRY = "options: industry, zh: 行业"
MARKETING_LEAD = "lead: {operations: [list, read, create], scope: unit}"


def lead_field(line: str) -> Edit:
    """Add a field line to lead.yaml just before ``notes`` (so at line 14)."""
    return sub(LEAD, NOTES, f"  {line}\n{NOTES}")


CASES = [
    # --- unknown names and types -------------------------------------------------------
    Case("unknown-type", (sub(LEAD, "type: money,", "type: money2,"),), (
        f"{LEAD}:17: entities.lead.fields.budget.type: unknown type 'money2' (known: {TYPES})",
    )),
    Case("unknown-reference-target", (sub(LEAD, "to: source,", "to: sources,"),), (
        f"{LEAD}:36: entities.lead.fields.source.to: unknown entity 'sources' "
        f"(known: {ENTITIES})",
    )),
    Case("reference-without-to", (sub(LEAD, "type: reference, to: source,",
                                      "type: reference,"),), (
        f"{LEAD}:36: entities.lead.fields.source: a reference needs 'to: <entity>'",
    )),
    Case("reference-to-user", (sub(LEAD, "to: source,", "to: user,"),), (
        f"{LEAD}:36: entities.lead.fields.source.to: to point at a user, use 'type: user' "
        "without 'to'",
    )),
    Case("unknown-option-set", (sub(LEAD, INDUSTRY, "options: industri, zh: 行业"),), (
        f"{LEAD}:22: entities.lead.fields.industry.options: unknown option set 'industri' "
        "(known: industry)",
    )),
    Case("option-set-without-options-yaml", (drop(OPTIONS),), (
        "entities/account.yaml:11: entities.account.fields.industry.options: unknown option "
        "set 'industry' (known: none declared in options.yaml)",
        f"{LEAD}:22: entities.lead.fields.industry.options: unknown option set 'industry' "
        "(known: none declared in options.yaml)",
    )),
    Case("enum-without-options", (sub(LEAD, INDUSTRY + ",", "zh: 行业,"),), (
        f"{LEAD}:22: entities.lead.fields.industry: type 'enum' needs 'options': a set name "
        "or a list",
    )),
    Case("enum-options-not-a-list", (sub(LEAD, INDUSTRY, "options: 5, zh: 行业"),), (
        f"{LEAD}:22: entities.lead.fields.industry.options: give an option set name or a "
        "list of options",
    )),
    Case("inline-option-not-a-mapping", (sub(LEAD, "- {code: wechat, zh: 微信, en: WeChat}",
                                             "- wechat"),), (
        f"{LEAD}:32: entities.lead.fields.channels.options.1: an option is "
        "{code: ..., zh: ..., en: ...}",
    )),
    Case("inline-option-without-label", (sub(LEAD, "{code: wechat, zh: 微信, en: WeChat}",
                                             "{code: wechat, zh: 微信}"),), (
        f"{LEAD}:32: entities.lead.fields.channels.options.1.en: 'en' is required",
    )),
    Case("unknown-section", (sub(LEAD, NOTES, NOTES.replace("detail", "details")),), (
        f"{LEAD}:14: entities.lead.fields.notes.section: unknown section 'details' "
        "(known: basic, detail)",
    )),
    Case("unknown-menu", (sub(LEAD, "menu: sales", "menu: sale"),), (
        f"{LEAD}:5: entities.lead.menu: unknown menu 'sale' (known: sales, settings)",
    )),
    Case("unknown-title-field", (sub(LEAD, "title_field: name", "title_field: title"),), (
        f"{LEAD}:7: entities.lead.title_field: unknown field 'title' (known: {LEAD_FIELDS})",
    )),
    Case("non-text-title-field", (sub(LEAD, "title_field: name", "title_field: headcount"),), (
        f"{LEAD}:7: entities.lead.title_field: 'headcount' is integer: pick a string, text, "
        "email or phone field",
    )),
    Case("tags-without-tag-entity", (drop("entities/tag.yaml"),), (
        "entities/account.yaml:13: entities.account.fields.tags: tags need the tag library: "
        "declare entity 'tag'",
        f"{LEAD}:39: entities.lead.fields.need_tags: tags need the tag library: declare "
        "entity 'tag'",
        f"{ROLES}:15: roles.supervisor.entities.tag: unknown entity 'tag' "
        "(known: account, lead, source)",
        f"{ROLES}:27: roles.rep.entities.tag: unknown entity 'tag' (known: account, lead, source)",
        f"{ROLES}:46: roles.marketing.entities.tag: unknown entity 'tag' "
        "(known: account, lead, source)",
    )),
    Case("unknown-tag-group", (sub(LEAD, "group: need,", "group: needs,"),), (
        f"{LEAD}:39: entities.lead.fields.need_tags.group: unknown tag group 'needs' "
        "(known: industry, need)",
    )),
    Case("tag-group-without-group-field", (
        sub("entities/tag.yaml", "  group:\n", "  kind:\n"),), (
        f"{LEAD}:39: entities.lead.fields.need_tags.group: entity 'tag' has no 'group' field "
        "to pick from",
    )),
    Case("unknown-timezone", (sub(APP, "Asia/Shanghai", "Asia/Shangai"),), (
        f"{APP}:4: timezone: unknown time zone 'Asia/Shangai'",
    )),
    Case("unknown-locale", (sub(APP, "default_locale: zh", "default_locale: fr"),), (
        f"{APP}:3: default_locale: unknown locale 'fr' (known: zh, en)",
    )),
    # --- duplicates --------------------------------------------------------------------
    Case("duplicate-field-key", (lead_field("name: {type: text, zh: 名称, en: Name}"),), (
        f"{LEAD}:14: entities.lead.fields.name: duplicate key 'name'",
    )),
    Case("duplicate-key-inside-field", (sub(LEAD, "notes: {type: text,",
                                            "notes: {type: text, type: string,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.type: duplicate key 'type'",
    )),
    Case("duplicate-option-code", (sub(OPTIONS, "{code: it,", "{code: manufacturing,"),), (
        f"{OPTIONS}:8: option_sets.industry.options.1.code: duplicate code 'manufacturing'",
    )),
    Case("duplicate-inline-option-code", (sub(LEAD, "{code: wechat,", "{code: phone,"),), (
        f"{LEAD}:32: entities.lead.fields.channels.options.1.code: duplicate code 'phone'",
    )),
    Case("duplicate-entity-in-two-files", (
        put("entities/customer.yaml", (BASIC / "entities/account.yaml").read_text("utf-8")),), (
        "entities/customer.yaml:2: entities.account.entity: entity 'account' is also declared "
        "in entities/account.yaml",
    )),
    Case("duplicate-menu-code", (sub(APP, "{code: settings,", "{code: sales,"),), (
        f"{APP}:7: menus.1.code: duplicate code 'sales'",
        f"{SOURCE}:5: entities.source.menu: unknown menu 'settings' (known: sales)",
        "entities/tag.yaml:5: entities.tag.menu: unknown menu 'settings' (known: sales)",
    )),
    Case("duplicate-section-code", (sub(LEAD, "- {code: detail, zh: 详细信息, en: Details}",
                                        "- {code: basic, zh: 详细信息, en: Details}"),
                                    sub(LEAD, "section: detail}\n  headcount",
                                        "section: basic}\n  headcount")), (
        f"{LEAD}:10: entities.lead.sections.1.code: duplicate code 'basic'",
        *(f"{LEAD}:{line}: entities.lead.fields.{field}.section: unknown section 'detail' "
          "(known: basic)"
          for line, field in ((15, "headcount"), (16, "score"), (18, "budget"),
                              (20, "expected_on"), (21, "contacted_at"), (29, "channels"),
                              (39, "need_tags"))),
    )),
    Case("duplicate-team-across-units", (sub("units/west.yaml", "west-1:", "east-1:"),), (
        "units/west.yaml:6: units.west.teams.east-1: team 'east-1' is also in unit 'east'",
    )),
    Case("duplicate-unit-code", (sub("units/west.yaml", "unit: west", "unit: east"),), (
        "units/west.yaml:2: units.east.unit: unit 'east' is also declared in units/east.yaml",
    )),
    # --- defaults and bounds -----------------------------------------------------------
    Case("bad-default-integer", (sub(LEAD, HEADCOUNT, HEADCOUNT + " default: many,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.default: default 'many' is not a whole "
        "number",
    )),
    Case("bad-default-integer-fraction", (sub(LEAD, HEADCOUNT, HEADCOUNT + " default: 5.5,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.default: default '5.5' is not a whole "
        "number",
    )),
    Case("bad-default-boolean", (sub(LEAD, "default: false", "default: nope"),), (
        f"{LEAD}:19: entities.lead.fields.is_hot.default: default must be true or false",
    )),
    Case("bad-default-date", (sub(LEAD, EXPECTED_ON, EXPECTED_ON + " default: 2024-13-01,"),), (
        f"{LEAD}:20: entities.lead.fields.expected_on.default: default '2024-13-01' is not a "
        "date (YYYY-MM-DD)",
    )),
    Case("bad-default-datetime", (sub(LEAD, "en: Contacted at,", "en: Contacted at, "
                                                                 "default: now,"),), (
        f"{LEAD}:21: entities.lead.fields.contacted_at.default: default 'now' is not a "
        "date-time (YYYY-MM-DD HH:MM:SS)",
    )),
    Case("bad-default-enum", (sub(LEAD, INDUSTRY, INDUSTRY + ", default: farming"),), (
        f"{LEAD}:22: entities.lead.fields.industry.default: default 'farming' is not an "
        "option (known: manufacturing, it, other)",
    )),
    Case("bad-default-multi-enum", (sub(LEAD, "default: [phone]", "default: [phone, fax]"),), (
        f"{LEAD}:28: entities.lead.fields.channels.default: default 'fax' is not an option "
        "(known: phone, wechat, email)",
    )),
    Case("bad-default-decimal", (sub(LEAD, SCORE_DEFAULT, "max: 100, default: fifty,"),), (
        f"{LEAD}:16: entities.lead.fields.score.default: default 'fifty' is not a number",
    )),
    Case("default-not-a-number-nan", (sub(LEAD, SCORE_DEFAULT, "max: 100, default: .nan,"),), (
        f"{LEAD}:16: entities.lead.fields.score.default: default 'nan' is not a number",
    )),
    Case("default-above-max", (sub(LEAD, SCORE_DEFAULT, "max: 100, default: 150,"),), (
        f"{LEAD}:16: entities.lead.fields.score.default: default 150 is above max 100",
    )),
    Case("default-below-min-date", (sub(LEAD, EXPECTED_ON, EXPECTED_ON +
                                        " default: 2019-12-31,"),), (
        f"{LEAD}:20: entities.lead.fields.expected_on.default: default 2019-12-31 is below "
        "min 2020-01-01",
    )),
    Case("default-on-reference", (sub(LEAD, "to: source,", "to: source, default: 1,"),), (
        f"{LEAD}:36: entities.lead.fields.source.default: type 'reference' cannot have a "
        "default",
    )),
    Case("default-longer-than-length", (sub(SOURCE, "length: 16,",
                                            "length: 16, default: ABCDEFGHIJKLMNOPQ,"),), (
        f"{SOURCE}:10: entities.source.fields.code.default: default is longer than length 16",
    )),
    Case("default-against-pattern", (sub(SOURCE, "length: 16,", "length: 16, default: web,"),), (
        f"{SOURCE}:10: entities.source.fields.code.default: default 'web' does not match the "
        "field's pattern",
    )),
    Case("default-text-not-text", (sub(LEAD, "en: Notes,", "en: Notes, default: 5,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.default: default must be text: put it in quotes",
    )),
    Case("min-greater-than-max", (sub(LEAD, HEADCOUNT, "min: 10, max: 5,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.max: 'max' is smaller than 'min'",
    )),
    Case("min-not-a-number", (sub(LEAD, HEADCOUNT, "min: zero, max: 100000,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.min: 'min' must be a number",
    )),
    Case("date-max-with-time", (sub(LEAD, EXPECTED_ON, EXPECTED_ON +
                                    " max: 2030-01-01 10:00:00,"),), (
        f"{LEAD}:20: entities.lead.fields.expected_on.max: 'max' must be a date (YYYY-MM-DD)",
    )),
    Case("invalid-date-min", (sub(LEAD, EXPECTED_ON, "min: 2020-02-30,"),), (
        f"{LEAD}:20: entities.lead.fields.expected_on.min: 'min' must be a date (YYYY-MM-DD)",
    )),
    # --- keys that do not apply, typos, codes ------------------------------------------
    Case("length-on-integer", (sub(LEAD, HEADCOUNT, HEADCOUNT + " length: 10,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.length: 'length' does not apply to type "
        "'integer'",
    )),
    Case("money-unit-unknown", (sub(LEAD, "type: money,", "type: money, unit: wanyuan,"),), (
        f"{LEAD}:17: entities.lead.fields.budget.unit: unknown money unit 'wanyuan' (known: "
        "yuan, wan)",
    )),
    Case("money-unit-on-integer", (sub(LEAD, HEADCOUNT, HEADCOUNT + " unit: wan,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.unit: 'unit' does not apply to type "
        "'integer'",
    )),
    Case("length-zero", (sub(LEAD, "length: 200,", "length: 0,"),), (
        f"{LEAD}:12: entities.lead.fields.name.length: give a length from 1 to 10000000",
    )),
    Case("bad-regex-pattern", (sub(SOURCE, '"^[A-Z][A-Z0-9]*$"', '"^[A-Z"'),), (
        f"{SOURCE}:11: entities.source.fields.code.pattern: not a valid regular expression: "
        "unterminated character set at position 1",
    )),
    Case("unknown-key-did-you-mean", (sub(LEAD, "notes: {type: text,",
                                          "notes: {type: text, requird: true,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.requird: unknown key 'requird' "
        "(did you mean 'required'?)",
    )),
    Case("unknown-entity-key-did-you-mean", (sub(LEAD, "title_field:", "titel_field:"),), (
        f"{LEAD}:7: entities.lead.titel_field: unknown key 'titel_field' "
        "(did you mean 'title_field'?)",
    )),
    Case("unknown-key-without-suggestion", (sub(APP, "default_locale: zh",
                                                "default_locale: zh\ncolour: blue"),), (
        f"{APP}:4: colour: unknown key 'colour' (remove it or fix its spelling)",
    )),
    Case("missing-type", (sub(LEAD, "notes: {type: text,", "notes: {"),), (
        f"{LEAD}:14: entities.lead.fields.notes.type: 'type' is required",
    )),
    Case("bad-field-code", (lead_field("Lead-Name: {type: string, zh: 名称, en: Name}"),), (
        f"{LEAD}:14: entities.lead.fields.Lead-Name: 'Lead-Name' is not a code: use a-z, 0-9 "
        "and _",
    )),
    Case("bad-entity-code", (sub(LEAD, "entity: lead", "entity: Lead-X"),), (
        f"{LEAD}:2: entities.Lead-X.entity: 'Lead-X' is not a code: use a-z, 0-9 and _",
    )),
    Case("bad-team-code", (sub("units/west.yaml", "west-1:", "West 1:"),), (
        "units/west.yaml:6: units.west.teams.West 1: 'West 1' is not a team code: use a-z, "
        "0-9, - and _",
    )),
    Case("reserved-field-id", (lead_field("id: {type: integer, zh: 编号, en: Id}"),), (
        f"{LEAD}:14: entities.lead.fields.id: 'id' is a system field; rename it",
    )),
    Case("reserved-field-owner", (lead_field("owner: {type: user, zh: 负责人, en: Owner}"),), (
        f"{LEAD}:14: entities.lead.fields.owner: 'owner' is a system field; rename it",
    )),
    Case("reserved-field-metadata", (lead_field("metadata: {type: text, zh: 元, en: Meta}"),), (
        f"{LEAD}:14: entities.lead.fields.metadata: 'metadata' is a system field; rename it",
    )),
    Case("column-clash", (put(LEAD, (BASIC / LEAD).read_text("utf-8") +
                              "  account_id: {type: integer, zh: 客户号, en: Account no.}\n"),), (
        f"{LEAD}:41: entities.lead.fields.account_id: column 'account_id' clashes with field "
        "'account'; rename one",
    )),
    Case("reserved-entity-user", (put("entities/user.yaml", entity("user")),), (
        "entities/user.yaml:1: entities.user.entity: 'user' is reserved; choose another "
        "entity code",
    )),
    Case("reserved-entity-ab-prefix", (put("entities/ab_x.yaml", entity("ab_x")),), (
        "entities/ab_x.yaml:1: entities.ab_x.entity: 'ab_x' is reserved; choose another "
        "entity code",
    )),
    Case("entity-code-double-underscore", (put("entities/lead_tags.yaml",
                                               entity("lead__need_tags")),), (
        "entities/lead_tags.yaml:1: entities.lead__need_tags.entity: 'lead__need_tags': '__' "
        "is reserved; use a single '_'",
    )),
    Case("entity-codes-too-close", (put("entities/foo1.yaml", entity("foo1")),
                                    put("entities/foo_1.yaml", entity("foo_1"))), (
        "entities/foo_1.yaml:1: entities.foo_1.entity: 'foo_1' is too close to entity 'foo1'; "
        "rename one",
    )),
    Case("search-on-non-text", (sub(LEAD, HEADCOUNT, HEADCOUNT + " search: true,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.search: search works on text fields only; "
        "use filter",
    )),
    Case("unique-on-tags", (sub(LEAD, "type: tags,", "type: tags, unique: true,"),), (
        f"{LEAD}:39: entities.lead.fields.need_tags.unique: 'unique' does not work on type "
        "'tags'",
    )),
    Case("sort-on-tags", (sub(LEAD, "type: tags,", "type: tags, sort: true,"),), (
        f"{LEAD}:39: entities.lead.fields.need_tags.sort: lists cannot sort by a field of type "
        "'tags'",
    )),
    Case("sort-not-a-flag", (sub(LEAD, HEADCOUNT, HEADCOUNT + " sort: maybe,"),), (
        f"{LEAD}:15: entities.lead.fields.headcount.sort: must be true or false",
    )),
    # --- renamed_from ------------------------------------------------------------------
    Case("renamed-from-itself", (sub(LEAD, "notes: {type: text,",
                                     "notes: {renamed_from: notes, type: text,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.renamed_from: a field cannot be renamed from "
        "itself: remove renamed_from",
    )),
    Case("renamed-from-cycle", (sub(LEAD, "notes: {type: text,",
                                    "notes: {renamed_from: headcount, type: text,"),
                                sub(LEAD, "headcount: {type: integer,",
                                    "headcount: {renamed_from: notes, type: integer,")), (
        f"{LEAD}:14: entities.lead.fields.notes.renamed_from: renamed_from goes round in a circle "
        "(cycle: notes ← headcount ← notes)",
        f"{LEAD}:15: entities.lead.fields.headcount.renamed_from: renamed_from goes round in a "
        "circle (cycle: headcount ← notes ← headcount)",
    )),
    Case("renamed-from-long-cycle", (
        sub(LEAD, "notes: {type: text,", "notes: {renamed_from: headcount, type: text,"),
        sub(LEAD, "headcount: {type: integer,", "headcount: {renamed_from: score, "
                                                "type: integer,"),
        sub(LEAD, "score: {type: decimal,", "score: {renamed_from: notes, type: decimal,")), (
        f"{LEAD}:14: entities.lead.fields.notes.renamed_from: renamed_from goes round in a circle "
        "(cycle: notes ← headcount ← score ← notes)",
        f"{LEAD}:15: entities.lead.fields.headcount.renamed_from: renamed_from goes round in a "
        "circle (cycle: headcount ← score ← notes ← headcount)",
        f"{LEAD}:16: entities.lead.fields.score.renamed_from: renamed_from goes round in a circle "
        "(cycle: score ← notes ← headcount ← score)",
    )),
    Case("renamed-from-a-field-still-declared", (
        sub(LEAD, "notes: {type: text,", "notes: {renamed_from: headcount, type: text,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.renamed_from: 'headcount' is still a field "
        "of 'lead': rename from a code no field has now",
    )),
    Case("renamed-from-a-chain-into-a-field", (
        lead_field("remarks: {renamed_from: memo, type: text, zh: 说明, en: Remarks}"),
        sub(LEAD, "notes: {type: text,", "notes: {renamed_from: remarks, type: text,")), (
        f"{LEAD}:15: entities.lead.fields.notes.renamed_from: 'remarks' is still a field "
        "of 'lead': rename from a code no field has now",
    )),
    Case("renamed-from-the-same-code-twice", (
        lead_field("remarks: {renamed_from: memo, type: text, zh: 说明, en: Remarks}"),
        sub(LEAD, "notes: {type: text,", "notes: {renamed_from: memo, type: text,")), (
        f"{LEAD}:15: entities.lead.fields.notes.renamed_from: 'memo' is also renamed to "
        "'remarks'; keep one renamed_from",
    )),
    Case("renamed-from-a-unit-field", (
        sub(LEAD, "notes: {type: text,", "notes: {renamed_from: region_code, type: text,"),
        sub(EAST, "  east-1: {zh: 华东一组, en: East team 1}\n",
            "  east-1: {zh: 华东一组, en: East team 1}\nentities:\n  lead:\n    fields:\n"
            "      region_code: {type: string, zh: 区号, en: Region, renamed_from: notes}\n")), (
        f"{LEAD}:14: entities.lead.fields.notes.renamed_from: renamed_from goes round in a "
        "circle (cycle: notes ← region_code ← notes)",
        "units/east.yaml:10: units.east.entities.lead.fields.region_code.renamed_from: "
        "renamed_from goes round in a circle (cycle: region_code ← notes ← region_code)",
    )),
    # --- seeds -------------------------------------------------------------------------
    Case("seed-by-unknown-field", (sub(SOURCE, "by: code", "by: kode"),), (
        f"{SOURCE}:14: entities.source.seed.by: unknown field 'kode' (known: code, name)",
    )),
    Case("seed-row-unknown-field", (sub(SOURCE, "{code: EXPO, name:", "{code: EXPO, nam:"),), (
        f"{SOURCE}:17: entities.source.seed.rows.1.nam: unknown field 'nam' "
        "(known: code, name)",
    )),
    Case("seed-row-without-by", (sub(SOURCE, "{code: EXPO, name:", "{name:"),), (
        f"{SOURCE}:17: entities.source.seed.rows.1: give this row a 'code': rows are matched "
        "on it",
    )),
    # --- roles -------------------------------------------------------------------------
    Case("role-unknown-entity", (sub(ROLES, "account: {operations:", "acount: {operations:"),), (
        f"{ROLES}:38: roles.finance.entities.acount: unknown entity 'acount' (known: {ENTITIES})",
    )),
    Case("role-unknown-hidden-field", (sub(ROLES, "hidden: [phone, email]",
                                           "hidden: [phone, mail]"),), (
        f"{ROLES}:36: roles.finance.entities.lead.hidden.1: 'lead' has no field 'mail' "
        f"(known: {LEAD_FIELDS})",
    )),
    Case("role-unknown-readonly-field", (sub(ROLES, "readonly: [owner, score]",
                                             "readonly: [owner, scor]"),), (
        f"{ROLES}:25: roles.rep.entities.lead.readonly.1: 'lead' has no field 'scor' "
        f"(known: {LEAD_FIELDS})",
    )),
    Case("role-unknown-operation", (sub(ROLES, MARKETING_LEAD, MARKETING_LEAD.replace(
            "create]", "write]")),), (
        f"{ROLES}:44: roles.marketing.entities.lead.operations.2: unknown operation 'write' "
        "(known: list, read, create, update, delete, export)",
    )),
    Case("role-export-without-list", (sub(ROLES, MARKETING_LEAD, MARKETING_LEAD.replace(
            "[list, read, create]", "[read, export]")),), (
        f"{ROLES}:44: roles.marketing.entities.lead.operations: 'export' needs 'list': a "
        "role exports the lists it sees; add 'list'",
    )),
    Case("role-unknown-scope", (sub(ROLES, MARKETING_LEAD, MARKETING_LEAD.replace(
            "unit}", "region}")),), (
        f"{ROLES}:44: roles.marketing.entities.lead.scope: unknown scope 'region' "
        "(known: own, team, unit, all)",
    )),
    Case("role-grant-not-a-mapping", (sub(ROLES, MARKETING_LEAD, "lead: all"),), (
        f"{ROLES}:44: roles.marketing.entities.lead: must be a mapping of keys",
    )),
    Case("no-admin-role", (sub(ROLES, "    admin: true\n", ""),), (
        f"{ROLES}:2: roles: no role has 'admin: true'; add one",
    )),
    # --- files -------------------------------------------------------------------------
    Case("missing-roles-yaml", (drop(ROLES),), (
        "roles.yaml: file missing: create it with 'roles' and an admin role",
    )),
    Case("missing-app-yaml", (drop(APP),), (
        "app.yaml: file missing: create it with 'title' and 'menus'",
    )),
    Case("empty-entity-file", (put("entities/account.yaml", "# nothing yet\n"),), (
        "entities/account.yaml:1: entities.account: the file is empty: fill it in or delete it",
    )),
    Case("empty-roles-file", (put(ROLES, ""),), (
        f"{ROLES}:1: the file is empty: fill it in",
    )),
    Case("file-is-a-list", (put("entities/account.yaml", "- name\n- city\n"),), (
        "entities/account.yaml:1: entities.account: the file must hold 'key: value' lines, not "
        "a list or a value",
    )),
    Case("file-not-utf8", (put("entities/account.yaml",
                               "# 客户\nentity: 客户".encode("gbk")),), (
        "entities/account.yaml:1: entities.account: not UTF-8 text: save the file as UTF-8",
    )),
    Case("file-not-utf8-later-line", (put("entities/account.yaml",
                                          "entity: account\nzh: 客户\n".encode("gbk")),), (
        "entities/account.yaml:2: entities.account: not UTF-8 text: save the file as UTF-8",
    )),
    # --- YAML syntax and typing --------------------------------------------------------
    Case("yaml-unclosed-brace", (sub(LEAD, NOTES, NOTES.replace("detail}", "detail")),), (
        f"{LEAD}:15: entities.lead: YAML syntax error: expected ',' or '}}', but got ':' "
        "(column 12); unclosed '{' on line 14?",
    )),
    Case("yaml-bad-indentation", (sub(LEAD, "  notes:", " notes:"),), (
        f"{LEAD}:14: entities.lead: YAML syntax error: the indentation does not match the "
        "lines above (column 2)",
    )),
    Case("yaml-tab", (sub(LEAD, "  notes:", "\tnotes:"),), (
        f"{LEAD}:14: entities.lead: YAML syntax error: a tab character: indent with spaces "
        "only (column 1)",
    )),
    Case("yaml-two-documents", (sub(APP, "menus:", "---\nmenus:"),), (
        f"{APP}:5: YAML syntax error: a second document starts here: keep one per file (column 1)",
    )),
    Case("yaml-python-tag", (sub(LEAD, "default: 50,", "default: !!python/object:os.system 5,"),), (
        f"{LEAD}:16: entities.lead.fields.score.default: YAML tag "
        "'tag:yaml.org,2002:python/object:os.system' is not allowed: remove it",
    )),
    Case("field-not-a-mapping", (sub(LEAD, NOTES, "  notes: text\n"),), (
        f"{LEAD}:14: entities.lead.fields.notes: must be a mapping of keys",
    )),
    Case("field-without-value", (sub(LEAD, NOTES, "  notes:\n"),), (
        f"{LEAD}:14: entities.lead.fields.notes: 'notes' needs a value",
    )),
    Case("flag-not-boolean", (sub(LEAD, "length: 200, required: true,",
                                  "length: 200, required: maybe,"),), (
        f"{LEAD}:12: entities.lead.fields.name.required: must be true or false",
    )),
    Case("label-read-as-date", (sub(LEAD, "zh: 备注,", "zh: 2024-01-01,"),), (
        f"{LEAD}:14: entities.lead.fields.notes.zh: must be text: put the value in quotes",
    )),
    Case("option-code-read-as-boolean", (sub(OPTIONS, "{code: it,", "{code: yes,"),), (
        f"{OPTIONS}:8: option_sets.industry.options.1.code: option code reads as true/false: "
        "put it in quotes",
    )),
    Case("option-code-with-comma", (sub(OPTIONS, "{code: it,", "{code: 'i,t',"),), (
        f"{OPTIONS}:8: option_sets.industry.options.1.code: option code 'i,t' must be text "
        "without commas",
    )),
]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    return root


def _errors(root: Path) -> list[ConfigError]:
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)
    return raised.value.errors


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_config(case: Case, tmp_path: Path) -> None:
    root = _copy(tmp_path)
    for edit in case.edits:
        edit(root)
    errors = _errors(root)
    assert [str(e) for e in errors] == list(case.expected)
    for error in errors:  # short, unless a "(known: ...)" list names what may be written
        assert short(error.message), error.message


def short(message: str) -> bool:
    """Under 80 characters, not counting a column number or a list of known names."""
    return (len(re.sub(r" \(column \d+\)", "", message)) < 80 or "(known:" in message
            or "(cycle:" in message)


def test_corpus_is_large_and_ids_unique() -> None:
    assert len(CASES) >= 35
    assert len({c.id for c in CASES}) == len(CASES)
