"""日程 in the browser: rep1 opens the calendar from the menu at desk and phone size, finds a
task on its day (a grid of seven days at a desk, a list of days on a phone), switches to the
month, and marks the task done in one click without leaving the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.model.tables import utcnow
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def task_today(site: Site, request: pytest.FixtureRequest) -> Iterator[tuple[int, str, str]]:
    """A task of rep1's due later today (local): (id, title, local day); removed after."""
    now = utcnow()
    local = now.replace(tzinfo=dt.UTC).astimezone(ZONE)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), ZONE)
    due = now + (midnight.astimezone(dt.UTC).replace(tzinfo=None) - now) / 2
    title = f"日程测试：回访（{request.node.callspec.id}）"
    with site.app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        user = st.appbuilder.sm.find_user(username="rep1").id
        pk = create(ctx, "task", {"title": title, "assignee": user, "due_at": due,
                                  "owner": user}).id
    yield pk, title, local.date().isoformat()
    with site.app.app_context():
        task = state().models.cls("task").__table__
        state().db.session.execute(sa.delete(task).where(task.c.id == pk))
        state().db.session.commit()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_rep1_finds_a_task_on_its_day_and_marks_it_done(open_page, site: Site, task_today,
                                                        size: str, tmp_path: Path) -> None:
    pk, title, day = task_today
    page = open_page("rep1", size)
    if size == "phone":
        page.click(".navbar-toggle")
    page.click("text=线索管理")
    page.click("text=日程")
    page.wait_for_url("**/tasks/calendar/")
    item = page.locator(f'[data-day="{day}"] [data-task="{pk}"]')
    assert item.is_visible() and title in item.inner_text()
    assert page.locator("[data-day]").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shown = page.evaluate("getComputedStyle(document.querySelector('.ll-cal-grid')).display")
    assert shown == ("grid" if size == "desk" else "block")  # a phone lists the days
    page.screenshot(path=str(tmp_path / f"calendar_{size}.png"), full_page=True)
    page.screenshot(path=f"/tmp/agenda-calendar-{size}.png", full_page=True)

    page.click("[data-view=month]")
    page.wait_for_url("**view=month**")
    assert page.locator(f'[data-day="{day}"] [data-task="{pk}"]').is_visible()
    item = page.locator(f'[data-day="{day}"] [data-task="{pk}"]')
    item.get_by_role("button", name="完成").click()
    page.locator("#ll-task-message.alert-success").wait_for()
    assert page.locator("#ll-task-message").inner_text() == f"任务已完成：{title}"
    assert "ll-done" in item.get_attribute("class") and item.get_by_role("button").count() == 0
    assert "/tasks/calendar/" in page.url  # no page change
    with site.app.app_context():
        task = state().models.cls("task")
        assert state().db.session.scalar(sa.select(task.status).where(task.id == pk)) == "done"
    assert_quiet(page)
