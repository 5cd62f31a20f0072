"""The two file formats, written a row at a time so no list of rows is ever kept.

XLSX: openpyxl's write-only workbook (rows go to a temporary file, zipped on close), money
as number cells formatted ``0.00``, dates and times as date cells. CSV: UTF-8 with a BOM,
so Excel opens Chinese text right.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, BinaryIO, Protocol

from leadloom.exports.cells import as_text

FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: Excel's number formats for the typed cells
NUMBER_FORMATS = {Decimal: "0.00", dt.datetime: "yyyy-mm-dd hh:mm", dt.date: "yyyy-mm-dd"}
#: the most characters Excel allows in a sheet's name
SHEET_NAME = 31
#: control characters an XLSX file (XML 1.0) cannot hold: a stored text may have them
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Sheet(Protocol):
    def header(self, headers: Sequence[str]) -> None: ...

    def row(self, values: Sequence[Any]) -> None: ...

    def close(self) -> None: ...

    def discard(self) -> None: ...


class XlsxSheet:
    """One worksheet; ``watermark``: a first line and the printed pages' header/footer."""

    def __init__(self, out: BinaryIO, title: str, watermark: str | None) -> None:
        # imported here: every command that builds the app would load openpyxl otherwise
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.cell, self.bold = WriteOnlyCell, Font(bold=True)
        self.out = out
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(_sheet_title(title))
        if watermark:
            self.sheet.oddHeader.center.text = watermark
            self.sheet.oddFooter.center.text = f"{watermark} · &P / &N"
            self.sheet.append([watermark])

    def header(self, headers: Sequence[str]) -> None:
        cells = []
        for text in headers:
            cell = self.cell(self.sheet, value=NOT_IN_XML.sub("", text))
            cell.font = self.bold
            cells.append(cell)
        self.sheet.append(cells)

    def row(self, values: Sequence[Any]) -> None:
        self.sheet.append([self._cell(v) for v in values])

    def _cell(self, value: Any) -> Any:
        if isinstance(value, str):
            return NOT_IN_XML.sub("", value)
        fmt = NUMBER_FORMATS.get(type(value))
        if fmt is None:
            return value
        cell = self.cell(self.sheet, value=value)
        cell.number_format = fmt
        return cell

    def close(self) -> None:
        self.book.save(self.out)

    def discard(self) -> None:
        """Stop writing, and remove the rows' temporary file (an export refused halfway)."""
        self.sheet.close()
        self.sheet._writer.cleanup()


class CsvSheet:
    """CSV text: the header line, then one line per row."""

    def __init__(self, out: BinaryIO) -> None:
        self.text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="",  # type: ignore[type-var]
                                     write_through=True)
        self.writer = csv.writer(self.text)

    def header(self, headers: Sequence[str]) -> None:
        self.writer.writerow(headers)

    def row(self, values: Sequence[Any]) -> None:
        self.writer.writerow([as_text(v) for v in values])

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # the caller owns ``out``

    def discard(self) -> None:
        self.text.detach()


def open_sheet(fmt: str, out: BinaryIO, title: str, watermark: str | None) -> Sheet:
    """A writer of ``fmt`` into ``out``; CSV carries no watermark line (see README)."""
    return XlsxSheet(out, title, watermark) if fmt == "xlsx" else CsvSheet(out)


def _sheet_title(title: str) -> str:
    """A name Excel accepts: none of ``[]:*?/\\``, at most 31 characters."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_NAME] or "Sheet"
