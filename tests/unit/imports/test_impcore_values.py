"""Cell text as people type it → the write path's values; header → field suggestions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leadloom.imports import ImportFileError, read_sheet, suggest_mapping
from leadloom.imports.values import CellProblem, boolean, date, moment, money, number, option
from leadloom.metadata import load_registry
from leadloom.metadata.field_types import MoneyUnit
from tests.conftest import CONFIG


@pytest.fixture(scope="module")
def registry():
    return load_registry(CONFIG)


@pytest.mark.parametrize("text", ["2024-05-01", "2024/5/1", "2024.5.1", "2024年5月1日",
                                  "20240501", "45413", "2024-05-01 00:00:00"])
def test_dates(text: str) -> None:
    assert date(text) == dt.date(2024, 5, 1)


@pytest.mark.parametrize("text", ["2024-13-01", "明天", "5/1/2024", "1"])
def test_not_dates(text: str) -> None:
    with pytest.raises(CellProblem):
        date(text)


def test_moment() -> None:
    assert moment("2024/5/1 14:30") == dt.datetime(2024, 5, 1, 14, 30)


@pytest.mark.parametrize(("text", "unit", "yuan"), [
    ("15万", MoneyUnit.YUAN, 150000), ("150,000", MoneyUnit.YUAN, 150000),
    ("¥150000", MoneyUnit.YUAN, 150000), ("￥1.5万元", MoneyUnit.YUAN, 15000),
    ("15", MoneyUnit.WAN, 150000), ("150000元", MoneyUnit.WAN, 150000),
    ("1.2亿", MoneyUnit.YUAN, 120000000), ("15", MoneyUnit.YUAN, 15)])
def test_money(text: str, unit: MoneyUnit, yuan: int) -> None:
    assert money(text, unit) == Decimal(yuan)


def test_not_money() -> None:
    with pytest.raises(CellProblem):
        money("十五万", MoneyUnit.YUAN)


@pytest.mark.parametrize(("text", "value"), [("是", True), ("否", False), ("Yes", True),
                                             ("n", False), ("Y", True), ("1", True),
                                             ("0", False)])
def test_booleans(text: str, value: bool) -> None:
    assert boolean(text) is value


def test_numbers() -> None:
    assert number("1,234", integer=True) == 1234
    with pytest.raises(CellProblem):
        number("1.5", integer=True)


def test_options_by_label_or_code(registry) -> None:
    industry = registry.entity("lead").field("industry")
    first = industry.options[0]
    assert option(industry, first.label.zh) == first.code
    assert option(industry, first.label.en.upper()) == first.code
    assert option(industry, first.code) == first.code
    with pytest.raises(CellProblem):
        option(industry, "不存在")


def test_suggestions_from_labels_codes_and_presets(registry) -> None:
    headers = ["客户名称", "Contact name", "contact_phone", "预算下限", "手机", "无关列"]
    found = suggest_mapping(registry, "lead", headers)
    assert found == {"客户名称": "customer_name", "Contact name": "contact_name",
                     "contact_phone": "contact_phone", "预算下限": "budget_min",
                     "手机": None, "无关列": None}
    cn = suggest_mapping(registry, "lead", ["公司名称", "联系人", "手机", "来源", "行业"],
                         preset="cn_crm")
    assert cn == {"公司名称": "customer_name", "联系人": "contact_name",
                  "手机": "contact_phone", "来源": "source", "行业": "industry"}
    sf = suggest_mapping(registry, "lead", ["Company", "Lead Source", "Mobile"],
                         preset="salesforce")
    assert sf == {"Company": "customer_name", "Lead Source": "source",
                  "Mobile": "contact_phone"}
    saved = suggest_mapping(registry, "lead", ["客户名称"], saved={"客户名称": None})
    assert saved == {"客户名称": None}


def test_csv_encodings_and_delimiters() -> None:
    text = "客户名称;手机\n甲公司;13800001111\n"
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        sheet = read_sheet(text.encode(encoding), "a.csv")
        assert sheet.headers == ["客户名称", "手机"] and sheet.rows == [["甲公司", "13800001111"]]
    assert read_sheet(b"a\tb\n1\t2\n", "t.csv").rows == [["1", "2"]]


@pytest.mark.parametrize(("data", "name"), [(b"", "a.csv"), (b"a,b\n", "a.csv"),
                                             (b"x", "a.xlsx"), (b"a,b\n1,2", "a.pdf"),
                                             (b"a,a\n1,2", "a.csv")])
def test_unreadable_files(data: bytes, name: str) -> None:
    with pytest.raises(ImportFileError):
        read_sheet(data, name)


def test_blank_lines_keep_the_file_row_numbers() -> None:
    sheet = read_sheet("\n名称,手机\n甲,1\n,\n乙,2\n".encode(), "a.csv")
    assert sheet.rows == [["甲", "1"], ["乙", "2"]]
    assert sheet.numbers == [3, 5]
