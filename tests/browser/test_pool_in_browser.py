"""公海 in the browser: rep1 at a desk and on a phone sees the total and page 2, searches,
claims one lead with one click and reads the success message; on a phone the cards keep
认领 on screen with no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def east_pool(site: Site) -> Iterator[None]:
    """60 leads sup1 enters into east-1's pool (the demo's leads all have owners);
    removed afterwards, as the site is shared."""
    with site.app.app_context():
        st = state()
        sup1 = st.appbuilder.sm.find_user(username="sup1")
        ctx = Context(Actor(sup1.id, "sup1", ("supervisor",), unit="east-1"),
                      st.db.session, st.models, channel="test")
        web = st.db.session.query(st.models.cls("source")).filter_by(code="WEB").one().id
        made = [create(ctx, "lead", {
            "customer_name": f"公海浏览器客户{i:02d}", "industry": "trade", "source": web,
            "contact_name": "冯经理", "need_description": "CRM", "budget_status": "unclear",
            "need_clarity": "vague", "contact_phone": f"1390000{i:04d}"}).id
            for i in range(60)]
        st.db.session.commit()
    yield
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        for table in st.models.metadata.sorted_tables[::-1]:  # what the claims made too
            for fk in table.foreign_keys:
                if fk.column is lead.c.id:
                    st.db.session.execute(sa.delete(table).where(fk.parent.in_(made)))
        st.db.session.execute(sa.delete(lead).where(lead.c.id.in_(made)))
        st.db.session.commit()


@pytest.mark.usefixtures("east_pool")
@pytest.mark.parametrize("size", ["desk", "phone"])
def test_rep1_pages_searches_and_claims(open_page, site: Site, size: str,
                                        tmp_path: Path) -> None:
    page = open_page("rep1", size)
    page.goto(f"{site.url}/pool/")
    total = int(re.search(r"共 (\d+) 条", page.inner_text("#ll-pool-total")).group(1))
    assert total > 50 and page.locator("#ll-pool tbody tr").count() == 50
    assert re.fullmatch(r"1\d\d\*{4}\d{4}", page.locator(".ll-pool-phone").first.inner_text())
    page.screenshot(path=str(tmp_path / f"pool-{size}.png"), full_page=True)
    if size == "phone":
        claim = page.locator("#ll-pool tbody tr").first.locator("button", has_text="认领")
        assert claim.is_visible() and _inside(claim.bounding_box(), 390)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#ll-pool-pages a", has_text="2").first.click()
    page.wait_for_load_state()
    assert "page=2" in page.url and page.locator("#ll-pool tbody tr").count() == min(
        total - 50, 50)
    name = page.locator("#ll-pool tbody tr").first.locator("td").nth(1).inner_text()
    page.fill("#ll-pool-q", name)
    page.locator("#ll-pool-search button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#ll-pool tbody tr").count() >= 1
    assert name in page.locator("#ll-pool tbody tr").first.inner_text()
    page.locator("#ll-pool tbody tr").first.locator("button", has_text="认领").click()
    page.wait_for_load_state()
    assert "/lead/show/" in page.url and "已认领" in page.inner_text(".alert-success")
    page.screenshot(path=str(tmp_path / f"pool-claimed-{size}.png"))
    assert_quiet(page)


def _inside(box: dict[str, float] | None, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.usefixtures("east_pool")
def test_a_supervisor_assigns_on_a_phone_without_scrolling(open_page, site: Site) -> None:
    page = open_page("sup1", "phone")
    page.goto(f"{site.url}/pool/")
    assign = page.locator("#ll-pool tbody tr").first.locator("button", has_text="分配")
    assert assign.is_visible() and _inside(assign.bounding_box(), 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_quiet(page)
