"""The lead list sorts by what config gives an index for sorting (``sort: true``, a shared
view's sort) and by nothing else: at a desk sup1 clicks the 最近跟进时间 head, then clicks
it again, and reads the rows in one order and then the other; on a phone, where the heads
give way to cards, the same sort is a row of buttons above the cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LABEL = "最近跟进时间"
FOLLOWED = "/lead/list/?last_followup_at=!empty&psize_LeadView=25"


def shown_times(page) -> list[str]:
    """The rows' last follow-up times as the page writes them (``YYYY-MM-DD HH:MM``)."""
    return page.locator(f"#ll-table td[data-label={LABEL}]").all_text_contents()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_sortable_column_sorts_both_ways_and_the_others_do_not(
        open_page, site: Site, size: str, tmp_path: Path) -> None:
    page = open_page("sup1", size)
    page.goto(f"{site.url}{FOLLOWED}")
    before = shown_times(page)
    assert len(before) > 3 and all(before)
    if size == "desk":
        assert page.locator("#ll-table th[data-code=customer_name] a").count() == 0
        assert page.locator("#ll-sort").is_hidden()
        sort = page.locator("#ll-table th[data-code=last_followup_at] a")
    else:
        assert page.locator("#ll-table thead").is_hidden()
        assert page.locator("#ll-sort [data-code=customer_name]").count() == 0
        sort = page.locator("#ll-sort a[data-code=last_followup_at]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        sort.click()
    rising = shown_times(page)
    assert "_oc_LeadView=last_followup_at" in page.url and "_od_LeadView=asc" in page.url
    assert rising == sorted(rising) and rising != before
    if size == "phone":  # a card shows what the list is sorted by
        assert page.locator(f"#ll-table td[data-label={LABEL}]").first.is_visible()
    with page.expect_navigation():
        sort.click()
    falling = shown_times(page)
    assert "_od_LeadView=desc" in page.url
    assert falling == sorted(falling, reverse=True) and falling[0] > rising[0]
    assert "last_followup_at=%21empty" in page.url  # the filter is kept
    page.screenshot(path=str(tmp_path / f"sorted-{size}.png"), full_page=True)
    assert_quiet(page)
