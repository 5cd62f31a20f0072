"""The lead list in the browser, at a desk and on a phone: sup1 filters by a rep (by name)
and a text, hands two leads to another rep at once and reads the
per-record result; on a phone the rows are cards with a tel: link and nothing scrolls
sideways. sup1 also hands out two pool leads at once; fin1 filters contracts by a label."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.access.people import display_name
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet, remove_leads

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PREFIX = "列表浏览器客户"
POOLED = "列表公海客户"


@pytest.fixture(scope="module")
def people(site: Site) -> Iterator[dict[str, tuple[int, str]]]:
    """rep1 and rep2 by id and name; four leads of rep1's and four in the pool (two each
    per screen size); removed afterwards, as the site is shared."""
    with site.app.app_context():
        st = state()
        found = {u: st.appbuilder.sm.find_user(username=u) for u in ("sup1", "rep1", "rep2")}
        ctx = Context(Actor(found["sup1"].id, "sup1", ("supervisor",), unit="east"),
                      st.db.session, st.models, channel="test")
        web = st.db.session.query(st.models.cls("source")).filter_by(code="WEB").one().id
        made = [create(ctx, "lead", {
            "customer_name": f"{prefix}{size}{i}", "industry": "trade", "source": web,
            "contact_name": "冯经理", "need_description": "CRM", "budget_status": "unclear",
            "need_clarity": "vague", "contact_phone": f"13994711{k}{n}{i}",
            **({"owner": found["rep1"].id} if k == 0 else {})}).id
            for k, prefix in enumerate((PREFIX, POOLED))
            for n, size in enumerate(("desk", "phone")) for i in range(2)]
        st.db.session.commit()
        yield {u: (user.id, display_name(user.first_name, user.last_name, user.username))
               for u, user in found.items()}
        remove_leads(st, made)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_sup1_filters_by_rep_sorts_and_hands_two_leads_over(
        open_page, site: Site, people: dict[str, tuple[int, str]], size: str,
        tmp_path: Path) -> None:
    rep1, rep2 = people["rep1"], people["rep2"]
    page = open_page("sup1", size)
    page.goto(f"{site.url}/lead/list/")
    assert re.search(r"共 \d+ 条", page.inner_text("#ll-total"))
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#ll-table thead").is_hidden()
        page.click("#ll-filter-toggle")
        page.wait_for_selector("#ll-filter-panel.in")  # the panel has opened
    owner = page.locator("#ll-f-owner")
    assert owner.locator("option", has_text=rep1[1]).count() == 1
    owner.select_option(label=rep1[1])
    page.fill("#ll-f-customer_name", f"{PREFIX}{size}")
    with page.expect_navigation():
        page.click("#ll-apply")
    assert f"owner={rep1[0]}" in page.url and "grade=" not in page.url
    assert page.inner_text("#ll-total") == "共 2 条"
    rows = page.locator("#ll-table tbody tr")
    assert rows.count() == 2
    if size == "desk":  # no index to sort by (test_scale_rest_sortable_heads.py sorts)
        assert page.locator("#ll-table th[data-code=customer_name] a").count() == 0
    else:
        card = rows.first
        assert card.locator("td.ll-title").bounding_box()["y"] < card.locator(
            "td[data-label]").first.bounding_box()["y"]
        assert card.locator("a[href^='tel:13994711']").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / f"list-{size}.png"), full_page=True)
    page.check("#ll-pick-all")
    assert page.inner_text("#ll-picked") == "已选 2 条"
    page.select_option("#ll-bulk-bar select[name=owner]", label=rep2[1])
    with page.expect_navigation():
        page.click("#ll-bulk-bar button[value=owner]")
    assert "已更新 2 条" in page.inner_text(".alert-success")
    assert page.inner_text("#ll-total") == "共 0 条"  # the filter still says rep1
    assert_quiet(page)


def test_fin1_picks_a_finance_status_by_its_label(open_page, site: Site) -> None:
    with site.app.app_context():
        contract = state().models.cls("contract")
        pending = state().db.session.scalar(sa.select(sa.func.count()).where(
            contract.finance_status == "pending"))
    page = open_page("fin1")
    page.goto(f"{site.url}/contract/list/")
    page.select_option("#ll-f-finance_status", label="待财务确认")
    with page.expect_navigation():
        page.click("#ll-apply")
    assert "finance_status=pending" in page.url
    assert page.inner_text("#ll-total") == f"共 {pending} 条"
    assert page.locator("#ll-table tbody tr").count() == pending
    assert set(page.locator("#ll-table td[data-label=财务确认]").all_inner_texts()) <= {
        "待财务确认"}
    assert_quiet(page)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_sup1_hands_out_two_pool_leads_at_once(open_page, site: Site, size: str,
                                               people: dict[str, tuple[int, str]]) -> None:
    page = open_page("sup1", size)
    page.goto(f"{site.url}/pool/?q={POOLED}{size}")
    assert page.locator("#ll-pool tbody tr").count() == 2
    page.check("#ll-pool-all")
    page.select_option("#ll-pool-bulk select[name=owner]", label=people["rep2"][1])
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.click("#ll-pool-assign-many")
    assert "已更新 2 条" in page.inner_text(".alert-success")
    page.goto(f"{site.url}/pool/?q={POOLED}{size}")
    assert page.locator("#ll-pool tbody tr").count() == 0
    assert_quiet(page)
