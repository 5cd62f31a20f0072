"""Duplicate keys: however a phone, e-mail, company or credit code is typed, one key."""

from __future__ import annotations

import pytest

from leadloom.metadata.duplicate_keys import (
    company_block,
    company_core,
    company_key,
    credit_code_key,
    email_key,
    phone_key,
)
from leadloom.records.leads.duplicates import keys_of


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "0086 138 1234 5678",
                                 "(+86)138.1234.5678", "86 13812345678"])
def test_phone_forms(raw):
    assert phone_key(raw) == "13812345678"


def test_landlines_and_rubbish():
    assert phone_key("021-6123 4567") == phone_key("02161234567") == "02161234567"
    assert phone_key("同微信") is None and phone_key("") is None


@pytest.mark.parametrize("raw", ["Zhang.Wei@Example.COM", " zhang.wei@example.com ",
                                 "ＺＨＡＮＧ.wei@example.com"])
def test_email_case_and_width(raw):
    assert email_key(raw) == "zhang.wei@example.com"


@pytest.mark.parametrize("raw", [
    "上海华恒精密机械有限公司", "上海华恒精密机械股份有限公司",
    "上海 华恒 精密机械有限公司", "上海市华恒精密机械有限公司",
    "上海华恒精密机械有限责任公司", "上海华恒精密机械（集团）有限公司",
    "上海华恒精密机械(集团)有限公司", "上海华恒精密机械集团有限公司",
])
def test_company_variants_share_one_key(raw):
    assert company_key(raw) == "上海华恒精密机械"


def test_latin_suffixes_and_the_fuzzy_core():
    assert company_key("HuaHeng Co., Ltd.") == company_key("huaheng limited") == "huaheng"
    assert company_core("浙江省杭州恒鼎科技有限公司") == "恒鼎科技"
    assert company_core("恒鼎科技(杭州)有限公司") == "恒鼎科技"
    assert company_block(company_core("上海华恒精密机械有限公司")) == "华恒"
    assert company_key("北京华恒精密机械有限公司") != company_key("上海华恒精密机械有限公司")


def test_credit_codes():
    assert credit_code_key(" 91310000 ma1fl0xx1x ") == "91310000MA1FL0XX1X"


def test_keys_of_a_lead():
    keys = keys_of({"contact_phone": "+86 138 1234 5678", "contact_email": "A@B.CN",
                    "customer_name": "苏州嘉益网络科技有限公司", "credit_code": None})
    assert keys == [("phone", "13812345678", None), ("email", "a@b.cn", None),
                    ("company", "苏州嘉益网络科技", None), ("company_core", "嘉益网络科技", "嘉益")]
