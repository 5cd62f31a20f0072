"""导出 on the lead list: sup1 filters his team's list, clicks 导出 → Excel, and the file
holds exactly the rows the filtered list shows (the same lead numbers, in the same order);
a rep, who may not export, has no such button. Screenshots at a desk and on a phone."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: where the screenshots go to be looked at (``LEADLOOM_SHOTS_DIR``, else the temp folder)
SHOTS = Path(os.environ.get("LEADLOOM_SHOTS_DIR") or tempfile.gettempdir()) / "export"
LEAD_NO = re.compile(r"^[A-Z]+-\d{8}-\d{3,}$")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_export_holds_the_filtered_list(open_page, site: Site, size: str, tmp_path: Path
                                        ) -> None:
    page = open_page("sup1", size)
    page.goto(f"{site.url}/lead/list/?grade=A&psize_LeadView=100")
    total = int(re.search(r"(\d+)", page.inner_text("#ll-total")).group(1))
    shown = [t.strip() for t in page.locator("#ll-list").inner_text().split()
             if LEAD_NO.match(t.strip())]
    assert 0 < total <= 100 and len(shown) == total
    page.click("#ll-export button")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"list-export-menu-{size}.png"))
    with page.expect_download() as download:
        page.click("#ll-export-xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("线索_") and saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("导出人 ")
    header, body = rows[1], rows[2:]
    assert header[0] == "线索编号" and "联系电话" not in header
    assert [r[0] for r in body] == shown
    assert {r[header.index("线索分级")] for r in body} == {"A级(高价值)"}  # labels
    assert_quiet(page)


def test_a_rep_has_no_export_button(open_page, site: Site) -> None:
    page = open_page("rep1")
    page.goto(f"{site.url}/lead/list/")
    assert page.locator("#ll-export").count() == 0
    assert_quiet(page)
