"""Write-path messages: English text with a msgid, and catalogs that cover every one."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from tests.conftest import ROOT

TRANSLATIONS = ROOT / "platform" / "leadloom" / "translations"
LANGUAGES = ("zh", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def test_message_is_english_text_with_its_msgid():
    message = Message("does not match the pattern %(pattern)s", pattern="^[0-9]{2}$")
    assert message == "does not match the pattern ^[0-9]{2}$"
    assert message.msgid == "does not match the pattern %(pattern)s"
    assert message.params == {"pattern": "^[0-9]{2}$"}


def test_label_parameters_read_in_english():
    message = Message("no %(entity)s #%(id)s", entity=Label("来源渠道", "Source"), id=5)
    assert message == "no Source #5"


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language):
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    committed = (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert compiled.getvalue() == committed, (
        f"recompile: pybabel compile -d {TRANSLATIONS.relative_to(ROOT)}")


def test_every_message_in_the_code_has_a_chinese_translation():
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    wanted = {message for _, _, message, *_ in extract_from_dir(
        ROOT, method_map, options_map, keywords={"Message": None, "_": None})}
    zh = catalog("zh")
    assert wanted, "no Message(...) found: is babel.cfg right?"
    assert "User confirmation needed" in wanted, "no template _(...) found: is babel.cfg right?"
    missing = sorted(m for m in wanted if m not in zh or not zh[m].string)
    assert not missing, "add to translations/zh (see its README): " + "; ".join(missing)
    assert wanted <= {m.id for m in catalog("en") if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_use_only_the_msgid_placeholders(language):
    for message in catalog(language):
        if message.id and message.string:
            used = set(PLACEHOLDER.findall(message.string))
            assert used <= set(PLACEHOLDER.findall(message.id)), message.id
