"""不在岗 (an admin's 团队与单元), in the browser: sup2 at a desk and on a phone sees their
team only, sets rep4 away and withdraws it (the shared site keeps no time away); rep3 sees
themself only and is told why an end before the start is refused."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_supervisor_sets_a_reps_time_away(open_page, site: Site, size: str,
                                            tmp_path: Path) -> None:
    page = open_page("sup2", size)
    page.goto(f"{site.url}/members/")
    shown = page.locator("#ll-members td.ll-away").evaluate_all(
        "cells => cells.map(c => c.dataset.user)")
    assert {"sup2", "rep3", "rep4"} <= set(shown) and "rep1" not in shown
    assert page.locator("select[name=team]").count() == 0
    cell = page.locator("td.ll-away[data-user=rep4]")
    start = dt.date.fromisoformat(cell.locator("input[name=starts_on]").input_value())
    cell.locator("input[name=ends_on]").fill((start + dt.timedelta(days=4)).isoformat())
    cell.locator("select[name=reason]").select_option("business_trip")
    with page.expect_navigation():
        cell.locator("button").click()
    assert "已保存" in page.inner_text(".alert-success")
    badge = page.locator("td.ll-away[data-user=rep4] .label-warning").inner_text()
    assert badge.startswith("出差 ") and (start + dt.timedelta(days=4)).isoformat() in badge
    if size == "phone":  # neither the page nor the table scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert page.evaluate("(t => t.scrollWidth <= t.parentElement.clientWidth + 1)"
                             "(document.getElementById('ll-members'))")
    shot = Path(os.environ.get("LEADLOOM_SHOTS", tmp_path)) / f"members-away-{size}.png"
    page.screenshot(path=str(shot), full_page=True)
    with page.expect_navigation():  # back early: the time away is withdrawn
        page.locator("td.ll-away[data-user=rep4] .ll-away-item button").click()
    assert page.locator("td.ll-away[data-user=rep4] .label-warning").count() == 0
    assert_quiet(page)


def test_a_rep_sees_and_sets_their_own_time_away_only(open_page, site: Site) -> None:
    page = open_page("rep3")
    page.goto(f"{site.url}/members/")
    shown = page.locator("#ll-members td.ll-away").evaluate_all(
        "cells => cells.map(c => c.dataset.user)")
    assert shown == ["rep3"]
    cell = page.locator("td.ll-away[data-user=rep3]")
    start = dt.date.fromisoformat(cell.locator("input[name=starts_on]").input_value())
    cell.locator("input[name=ends_on]").fill((start - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        cell.locator("button").click()
    assert "结束" in page.inner_text(".alert-danger")
    assert page.locator("td.ll-away .label-warning").count() == 0
    assert_quiet(page)
