"""My day in the browser: each role at a desk (1440×900) and on a phone (390×844) sees its
cards in Chinese, clicks a number and lands on the list that shows that count; the cards fit
the desk without sideways scrolling and stack in one column on the phone, where the bell
stays visible next to the menu button."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from leadloom.records.leads import clock
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: user → (the titles of their cards, in Chinese)
CARDS = {
    "rep1": ("我的今日", "我的漏斗", "本月业绩", "未读通知"),
    "sup1": ("团队今日", "团队成员", "未读通知"),
    "fin1": ("待财务确认合同",),
    "mkt1": ("今日线索获取",),
    "admin": ("系统状态",),
}
LIST_COUNT = re.compile(r"(\d+)")


@pytest.fixture(autouse=True)
def last_demo_day(monkeypatch):
    """The demo's history ends on 2025-12-31: its afternoon in Shanghai is "now"."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2025, 12, 31, 7, 0))


def fits(page: object) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def click_a_count(page: object) -> None:
    """Click the first non-zero count that links to a list (else the first count); the
    list shows that count."""
    numbers = page.locator("a.ll-num[href*='/list/']")
    shown = next((i for i in range(numbers.count()) if numbers.nth(i).inner_text() != "0"), 0)
    number = numbers.nth(shown)
    count = int(number.inner_text())
    with page.expect_navigation():
        number.click()
    assert "/list/" in page.url
    found = LIST_COUNT.search(page.inner_text("#ll-total"))
    assert found and int(found.group(1)) == count, page.url


@pytest.mark.parametrize("size", ["desk", "phone"])
@pytest.mark.parametrize("user", sorted(CARDS))
def test_each_role_sees_its_day_and_a_number_opens_its_list(open_page, site: Site, user,
                                                           size):
    page = open_page(user, size)
    page.goto(f"{site.url}/")
    for title in CARDS[user]:
        assert page.locator("section[data-card] .panel-heading", has_text=title).count()
    assert fits(page)
    cards = page.locator("section[data-card]")
    if size == "phone":
        lefts = {round(cards.nth(i).bounding_box()["x"]) for i in range(cards.count())}
        assert len(lefts) == 1
        bell = page.locator("#ll-inbox")
        assert bell.is_visible()
        box = bell.bounding_box()
        assert box["x"] + box["width"] <= 390
    if user == "admin":
        page.locator(".ll-stat", has_text="失败任务").locator("a.ll-num").click()
        page.wait_for_load_state()
        assert "失败的任务" in page.inner_text("body")
    else:
        click_a_count(page)
    assert_quiet(page)
