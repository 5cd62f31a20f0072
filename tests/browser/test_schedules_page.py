"""The admin's schedule overview in the browser: 报表 → 后台任务 lists every scheduled rule
(the lead rules' jobs and the scheduled reports) with when it runs, its last run and its
next run, in Chinese, at desk and phone size."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_admin_sees_each_rule_with_its_next_run(open_page, site: Site, size: str):
    page = open_page("admin", size)
    page.goto(f"{site.url}/report-jobs/")
    table = page.locator("table#schedules")
    assert table.is_visible()
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["规则", "运行时间", "上次运行（时间点）", "结果", "下次运行"]
    rows = table.locator("tbody tr")
    titles = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert {"超期未跟进线索回收公海", "首次触达 SLA 提醒与超时", "任务提醒", "停滞线索提醒",
            "每日待办摘要"} <= set(titles)
    assert len(titles) == 9  # five lead-rule jobs and four scheduled reports
    reclaim = rows.nth(titles.index("超期未跟进线索回收公海")).locator("td")
    assert reclaim.nth(1).inner_text() == "每天 02:00"
    assert reclaim.nth(4).inner_text().endswith("02:00")
    assert_quiet(page)


def test_a_rep_is_refused(open_page, site: Site):
    page = open_page("rep1")
    page.goto(f"{site.url}/report-jobs/")
    assert page.locator("table#schedules").count() == 0
