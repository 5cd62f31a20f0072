"""The funnel board in the browser: sup1 at 1440 px sees every column without the page
scrolling sideways, filters by owner, and the column counts become that owner's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def counts(page: object) -> dict[str, int]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.ll-col')]
        .map(c => [c.dataset.stage, parseInt(c.querySelector('.ll-count').textContent, 10)]))""")


def api_counts(page: object, query: str) -> dict[str, int]:
    body = page.evaluate(f"""() => fetch('/api/v1/board/lead{query}').then(r => r.json())""")
    return {c["stage"]: c["count"] for c in body["columns"]}


def test_sup1_filters_the_board_by_owner_at_desk_width(open_page, site: Site,
                                                          tmp_path: Path) -> None:
    page = open_page("sup1", "desk")
    page.goto(f"{site.url}/board/lead/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    whole = counts(page)
    assert whole == api_counts(page, "") and sum(whole.values()) > 0
    owners = page.eval_on_selector_all("#ll-owner option", "os => os.map(o => o.value)")
    assert len(owners) > 2  # 全部 and at least two owners in sup1's team
    owner = owners[1]
    with page.expect_navigation():
        page.select_option("#ll-owner", owner)
    assert f"owner={owner}" in page.url
    theirs = counts(page)
    assert theirs == api_counts(page, f"?owner={owner}")
    assert sum(theirs.values()) < sum(whole.values())
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    page.screenshot(path=str(tmp_path / "board-desk.png"), full_page=True)
    page.screenshot(path="/tmp/board-desk.png", full_page=True)
    assert_quiet(page)


def test_the_board_fits_a_phone_and_offers_a_move_select(open_page, site: Site,
                                                          tmp_path: Path) -> None:
    page = open_page("rep1", "phone")
    page.goto(f"{site.url}/board/lead/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator(".ll-card .ll-move").first
    assert first.is_visible()
    stages = first.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert stages[0] == "" and len(stages) == page.locator(".ll-col").count()
    page.screenshot(path=str(tmp_path / "board-phone.png"))
    page.screenshot(path="/tmp/board-phone.png")
    assert_quiet(page)
