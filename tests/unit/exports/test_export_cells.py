"""What one value becomes in an exported file, and the columns a reader gets."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from leadloom.exports.cells import as_text, inert, local, money
from leadloom.exports.columns import Kind, export_columns
from leadloom.exports.writers import CsvSheet, XlsxSheet
from leadloom.metadata import load_registry
from tests.conftest import CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_start_gets_a_quote(text: str) -> None:
    assert inert(text) == f"'{text}"


@pytest.mark.parametrize("text", ["张三", "1+1", "a=b", ""])
def test_other_text_stays_as_it_is(text: str) -> None:
    assert inert(text) == text


def test_money_is_yuan_to_the_fen_and_times_are_local() -> None:
    assert money(150000) == Decimal("150000.00")
    assert money(Decimal("1.005")) == Decimal("1.00")  # banker's rounding, as Decimal does
    assert money(None) is None
    assert local(dt.datetime(2026, 12, 1, 2, 32, 5, 123), SHANGHAI) == dt.datetime(
        2026, 12, 1, 10, 32, 5)
    assert as_text(Decimal("15.50")) == "15.50"
    assert as_text(dt.datetime(2026, 12, 1, 10, 32, 5)) == "2026-12-01 10:32"
    assert as_text(dt.date(2026, 12, 1)) == "2026-12-01"
    assert as_text(None) == ""


def test_hidden_and_unknown_columns_never_become_columns() -> None:
    lead = load_registry(CONFIG).entity("lead")
    columns = export_columns(lead, ["customer_name", "contact_phone", "nope", "owner",
                                    "customer_name", "expected_amount", "created_at"],
                             frozenset({"contact_phone"}), {"customer_name": "客户名称"})
    assert [c.code for c in columns] == ["customer_name", "owner", "expected_amount",
                                         "created_at"]
    assert columns[0].header == "客户名称"
    assert [c.kind for c in columns[1:]] == [Kind.USER, Kind.MONEY, Kind.DATETIME]


def test_xlsx_cells_are_typed_and_csv_opens_in_excel() -> None:
    out = io.BytesIO()
    sheet = XlsxSheet(out, "线索", "导出人 张三 · 2026-12-01 10:32")
    sheet.header(["金额", "签约日期", "创建时间", "名称"])
    sheet.row([Decimal("150000.00"), dt.date(2026, 12, 1), dt.datetime(2026, 12, 1, 10, 32),
               "'=1+1"])
    sheet.close()
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    rows = list(book.active.iter_rows())
    assert rows[0][0].value == "导出人 张三 · 2026-12-01 10:32"
    amount, day, at, name = rows[2]
    assert amount.value == 150000 and amount.number_format == "0.00"
    assert day.is_date and at.is_date and at.value == dt.datetime(2026, 12, 1, 10, 32)
    assert name.data_type == "s" and name.value == "'=1+1"
    assert "导出人" in book.active.oddHeader.center.text
    out = io.BytesIO()
    sheet = CsvSheet(out)
    sheet.header(["金额", "名称"])
    sheet.row([Decimal("150000.00"), "'=1+1"])
    sheet.close()
    assert out.getvalue().decode("utf-8") == "\ufeff金额,名称\r\n150000.00,'=1+1\r\n"


def test_control_characters_a_text_may_hold_do_not_break_the_xlsx() -> None:
    """XML cannot hold them: the file is written without them (an HTTP 500 before)."""
    out = io.BytesIO()
    sheet = XlsxSheet(out, "线索", None)
    sheet.header(["名称\x07"])
    sheet.row(["苏州\x00峰博\x1f新材料", "tab\tand\nnewline stay"])
    sheet.close()
    rows = list(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.values)
    assert rows == [("名称", None), ("苏州峰博新材料", "tab\tand\nnewline stay")]
