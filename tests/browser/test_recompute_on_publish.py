"""An admin adds a holiday in the config editor and publishes: the version's page shows the
recompute of the open leads going (progress) and then its summary in Chinese, at a desk and
on a phone; the follow-up deadlines that fell on the new holiday moved off it.

The site is this module's own (publishing changes the config of every page it serves).
Screenshots go to ``$LEADLOOM_SHOTS``.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadloom.records.leads import recompute
from leadloom.web.state import state
from tests.browser.conftest import DEMO_PASSWORD, SIZES, Site, assert_quiet, demo_site
from tests.browser.test_search_box import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory) -> Iterator[Site]:
    """A demo organisation of its own, CSRF on, on a free port."""
    yield from demo_site(database_factory(), tmp_path_factory.mktemp("reports"), leads=200,
                         seed=5)


def busiest_followup_day(site: Site) -> tuple[str, list[int]]:
    """The local day most open leads' next follow-ups fall on, and those leads."""
    with site.app.app_context():
        lead = state().models.cls("lead").__table__
        rules = state().registry.lead_rules.base
        rows = state().db.session.execute(sa.select(lead.c.id, lead.c.next_followup_due_at)
                                          .where(lead.c.next_followup_due_at.is_not(None),
                                                 lead.c.status.in_(rules.open_statuses)))
        days = collections.defaultdict(list)
        for pk, due in rows:
            days[rules.calendar.local_date(due).isoformat()].append(pk)
        state().db.session.remove()
    day = max(days, key=lambda d: len(days[d]))
    return day, days[day]


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"recompute-{name}.png"), full_page=True)


def test_publishing_a_holiday_shows_the_recompute_and_its_summary(
        browser, site, monkeypatch):
    monkeypatch.setattr(recompute, "BATCH", 3)  # many small, slowed batches: progress shows
    batch = recompute._recompute

    def slowed(*args, **kwargs):
        time.sleep(0.3)
        return batch(*args, **kwargs)

    monkeypatch.setattr(recompute, "_recompute", slowed)
    day, moved = busiest_followup_day(site)
    context = browser.new_context(locale="zh-CN", viewport=SIZES["desk"])
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(f"{site.url}/login/")
    page.fill("#username", "admin")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")
    page.goto(f"{site.url}/config/edit/?file=leads.yaml")
    text = page.input_value("textarea[name=text]")
    assert "  holidays: []" in text
    page.fill("textarea[name=text]", text.replace("  holidays: []", f'  holidays: ["{day}"]'))
    page.fill("input[name=message]", "新增公司假日")
    with page.expect_navigation():
        page.click("button[value=publish]")
    panel = page.locator(".ll-recompute")
    assert panel.get_attribute("data-state") in ("queued", "running", "done")
    if panel.get_attribute("data-state") == "queued":
        assert "等待开始" in panel.inner_text()
    page.wait_for_selector(".ll-recompute[data-state=running], "
                           ".ll-recompute[data-state=done]", timeout=60_000)
    assert panel.get_attribute("data-state") == "running"  # the page refreshes every 2 s
    assert "正在重新计算" in panel.inner_text()
    assert page.locator(".ll-recompute .progress-bar").count() == 1
    shoot(page, "running-desk")
    page.wait_for_selector(".ll-recompute[data-state=done]", timeout=120_000)
    summary = page.locator(".ll-recompute-summary").inner_text()
    assert summary.startswith("重新计算 ") and "截止时间变化" in summary and "等级变化" in summary
    changed = int(summary.split("截止时间变化 ")[1].split(" 条")[0])
    assert changed >= len(moved) > 0
    shoot(page, "done-desk")
    assert_quiet(page)
    phone = browser.new_context(locale="zh-CN", viewport=SIZES["phone"], is_mobile=True,
                                has_touch=True, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(page.url)
    assert "截止时间变化" in small.locator(".ll-recompute-summary").inner_text()
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shoot(small, "done-phone")
    phone.close()
    context.close()
    with site.app.app_context():
        lead = state().models.cls("lead").__table__
        rules = state().registry.lead_rules.base
        days = {rules.calendar.local_date(due).isoformat() for due in state().db.session.scalars(
            sa.select(lead.c.next_followup_due_at).where(lead.c.id.in_(moved)))}
        state().db.session.remove()
    assert day not in days
