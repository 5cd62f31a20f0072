"""Intake form declarations (``config/intake/*.yaml``): a good one loads, and each broken
copy names the exact lines ``leadloom check`` prints for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.intake import find_form

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"
FILE = "intake/site.yaml"
GOOD = """\
zh: 官网表单
en: Website form
source: WEB
fields: [name, email, phone, notes]
required: [name]
contact: [email, phone]
thanks: {zh: 谢谢, en: Thanks}
token_env: LEADLOOM_INTAKE_SITE_TOKEN
"""
CASES = [
    ("unknown-field", "[name, email, phone, notes]", "[name, email, phone, wechat]",
     [f"{FILE}:4: intake.site.fields.3: 'wechat' is not a lead field a form may set"]),
    ("not-shown", "required: [name]", "required: [name, headcount]",
     [f"{FILE}:5: intake.site.required.1: 'headcount' is not in this form's fields"]),
    ("no-default", "required: [name]", "required: []",
     [f"{FILE}:5: intake.site.required: give a default for the lead's required field "
      "'name'"]),
    ("source-code", "source: WEB", "source: web",
     [f"{FILE}:3: intake.site.source: 'web' is not a source code like 'WEB'"]),
    ("token-in-config", "token_env: LEADLOOM_INTAKE_SITE_TOKEN", "token: s3cret",
     [f"{FILE}:8: intake.site.token: unknown key 'token' (did you mean 'token_env'?)",
      f"{FILE}:1: intake.site.token_env: 'token_env' is required"]),
    ("rate", "token_env:", "rate_limit: often\ntoken_env:",
     [f"{FILE}:8: intake.site.rate_limit: 'often' is not a rate like '10 per minute'"]),
]


def _config(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(BASIC, folder)
    (folder / "intake").mkdir()
    (folder / FILE).write_text(text, encoding="utf-8")
    return folder


def test_a_good_form_loads(tmp_path: Path) -> None:
    form = find_form(load_registry(_config(tmp_path, GOOD)).intake_forms, "site")
    assert form is not None and form.contact == ("email", "phone")
    assert form.rate_limit == "10 per minute" and form.token_env.endswith("_TOKEN")


@pytest.mark.parametrize(("case", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_form(case: str, old: str, new: str, expected: list[str],
                    tmp_path: Path) -> None:
    assert old in GOOD
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(_config(tmp_path, GOOD.replace(old, new)))
    assert sorted(str(e) for e in raised.value.errors) == sorted(expected)
