"""The import wizard in the browser, as marketing loads an expo list: mkt1 opens it from
the lead list, uploads an XLSX of 50 rows (two repeating earlier rows of the file, two
naming leads already stored, one with an industry that does not exist), keeps the
suggested mapping, reads the preview, starts, watches the run end, reads the exact counts
and downloads the error file; at a desk and on a phone, screenshots of every step."""

from __future__ import annotations

import io
import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.demo.companies import credit_check_digit
from leadloom.imports import ImportOptions, create_run, perform
from leadloom.records import Context
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet, remove_leads

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HEADERS = ["客户名称", "行业", "来源", "联系人", "需求描述", "城市", "统一社会信用代码"]
#: where the screenshots go (the session's temporary folder unless set)
SHOTS = os.environ.get("LEADLOOM_SHOTS_DIR")


def new_code() -> str:
    """A well-formed 统一社会信用代码 no lead holds yet."""
    first17 = f"91320500{random.randrange(10**9):09d}"
    return first17 + credit_check_digit(first17)


def expo_list(stored: list[str]) -> list[list[str]]:
    """45 new companies, 2 rows repeating the credit code of the file's first rows, 2 rows
    with the code of a stored lead (查重 knows a company by its code or phone, not its
    name) and one row with an unknown industry: 50 rows."""
    def row(name: str, code: str, industry: str = "制造业") -> list[str]:
        return [name, industry, "WEB", "展会联系人", "展会上留的需求：销售管理系统", "苏州", code]

    rows = [row(f"博览{uuid.uuid4().hex[:10]}科技有限公司", new_code()) for _ in range(45)]
    rows.insert(10, row("文件里重复的甲公司", rows[0][-1]))
    rows.insert(20, row("文件里重复的乙公司", rows[1][-1]))
    rows.insert(30, row("库里已有的甲公司", stored[0]))
    rows.insert(40, row("库里已有的乙公司", stored[1]))
    rows.append(row(f"博览{uuid.uuid4().hex[:10]}科技有限公司", new_code(), "不存在的行业"))
    return rows


def workbook(rows: list[list[str]], path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def stored(site: Site) -> Iterator[list[str]]:
    """Credit codes of two stored open leads; the leads the test imports are removed
    after."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        first = st.db.session.scalar(sa.select(sa.func.max(lead.c.id)))
        codes = list(st.db.session.scalars(sa.select(lead.c.credit_code).where(
            lead.c.status != "invalid", lead.c.credit_code.is_not(None),
            lead.c.owner_id.is_not(None)).order_by(lead.c.id).limit(2)))
    assert len(codes) == 2
    yield codes
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        remove_leads(st, list(st.db.session.scalars(sa.select(lead.c.id).where(
            lead.c.id > first))))


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_mkt1_imports_an_expo_list(open_page, site: Site, stored: list[str], size: str,
                                   tmp_path: Path) -> None:
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page = open_page("mkt1", size)
    page.goto(f"{site.url}/lead/list/")
    with page.expect_navigation():
        page.click("#ll-import-link")
    assert page.url.endswith("/lead/import")
    page.set_input_files("#ll-file", str(workbook(expo_list(stored), tmp_path / "展会名单.xlsx")))
    page.select_option("#ll-preset", "cn_crm")
    page.check("input[name=on_duplicate][value=skip]")
    _fits(page, size)
    page.screenshot(path=str(shots / f"import-1-upload-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#ll-next")

    assert page.url.endswith("/lead/import/map")
    assert page.locator("#ll-columns tbody tr").count() == len(HEADERS)
    assert page.locator("#ll-required .label-danger").count() == 0
    _fits(page, size)
    page.screenshot(path=str(shots / f"import-2-map-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#ll-next")

    assert page.url.endswith("/lead/import/preview")
    rows = page.locator("#ll-preview tbody tr")
    assert rows.count() == 20
    repeat = page.locator("#ll-preview tr[data-row='12']")  # row 11 of data: a repeat
    assert repeat.get_attribute("data-outcome") == "skipped"
    assert repeat.locator(".ll-reasons").inner_text()
    assert page.locator("#ll-preview tr[data-outcome=created]").count() == 19
    _fits(page, size)
    page.screenshot(path=str(shots / f"import-3-preview-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#ll-go")

    page.wait_for_selector("#ll-result", timeout=60_000)
    counts = dict(zip(page.locator("#ll-counts tr").evaluate_all(
        "rows => rows.map(r => r.dataset.outcome)"),
        [int(t) for t in page.locator("#ll-counts .ll-count").all_inner_texts()], strict=True))
    assert counts == {"created": 45, "updated": 0, "flagged": 0, "skipped": 4, "refused": 1}
    _fits(page, size)
    page.screenshot(path=str(shots / f"import-4-result-{size}.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#ll-error-file")
    errors = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    lines = list(errors.iter_rows(values_only=True))
    assert lines[0][:len(HEADERS)] == tuple(HEADERS)
    assert len(lines) == 1 + 5
    assert sorted(str(line[-1])[:4] for line in lines[1:]) == ["[拒绝]", *["[跳过]"] * 4]
    with page.expect_navigation():
        page.click("#ll-records")
    assert "/lead/list/" in page.url
    assert_quiet(page)


def _fits(page: object, size: str) -> None:
    """On a phone nothing scrolls sideways."""
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_run_page_follows_a_queued_run_to_its_result(open_page, site: Site,
                                                        stored: list[str],
                                                        tmp_path: Path) -> None:
    """A run still waiting shows the bar; the page polls and shows the counts once the
    job has run."""
    shots = Path(SHOTS) if SHOTS else tmp_path
    rows = expo_list(stored)[:12]
    data = "\n".join(",".join(r) for r in [HEADERS, *rows]).encode()
    with site.app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username="mkt1")
        ctx = Context(Actor(user.id, "mkt1", ("marketing",)), st.db.session, st.models,
                      channel="import")
        mapping = dict(zip(HEADERS, ["customer_name", "industry", "source", "contact_name",
                                     "need_description", "city", "credit_code"], strict=True))
        run_id = create_run(ctx, "lead", "排队的名单.csv", data, mapping, ImportOptions())
    page = open_page("mkt1")
    page.goto(f"{site.url}/lead/import/runs/{run_id}")
    assert page.locator("#ll-progress .progress-bar").inner_text() == "0%"
    assert "等待开始" in page.inner_text("#ll-progress-text")
    page.screenshot(path=str(shots / "import-4-progress-desk.png"), full_page=True)
    with site.app.app_context():
        st = state()
        perform(st.db.session, st.models, run_id)
    page.wait_for_selector("#ll-result", timeout=20_000)
    assert page.inner_text("#ll-counts tr[data-outcome=created] .ll-count") == "11"
    assert page.inner_text("#ll-counts tr[data-outcome=skipped] .ll-count") == "1"  # row 12
    assert_quiet(page)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_mkt1_finds_the_import_page_in_the_menu(open_page, site: Site, size: str,
                                               tmp_path: Path) -> None:
    shots = Path(SHOTS) if SHOTS else tmp_path
    page = open_page("mkt1", size)
    if size == "phone":
        page.click(".navbar-toggle")
    page.click("a.dropdown-toggle:has-text('线索管理')")
    with page.expect_navigation():
        page.click("a[href='/import/']")
    entities = page.locator("#ll-import-hub .list-group-item").evaluate_all(
        "links => links.map(a => a.dataset.entity)")
    assert "lead" in entities and "contract" not in entities
    _fits(page, size)
    page.screenshot(path=str(shots / f"import-0-menu-page-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#ll-import-hub a[data-entity=lead]")
    assert page.url.endswith("/lead/import")
    assert_quiet(page)
