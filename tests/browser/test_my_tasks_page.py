"""我的待办 in the browser: rep1 opens it from the menu at desk and phone size, sees the three
groups with the counts the database holds (also on the tabs), clicks 完成 and, without a page
load, the row goes and the count drops by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.model.tables import utcnow
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GROUPS = ("overdue", "today", "upcoming")


@pytest.fixture(scope="module")
def rep1_tasks(site: Site) -> Iterator[None]:
    """A task of rep1's due later today and one in three days (the demo's are all overdue);
    removed afterwards, as the site is shared."""
    with site.app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        user = st.appbuilder.sm.find_user(username="rep1").id
        now, (_, end_of_today) = utcnow(), _days(utcnow())
        made = [create(ctx, "task", {"title": title, "assignee": user, "due_at": due,
                                     "owner": user}).id
                for title, due in (("浏览器测试：今天回电", now + (end_of_today - now) / 2),
                                   ("浏览器测试：三天后拜访", now + dt.timedelta(days=3)))]
    yield
    with site.app.app_context():
        task = state().models.cls("task").__table__
        state().db.session.execute(sa.delete(task).where(task.c.id.in_(made)))
        state().db.session.commit()


def _days(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Now and the next local midnight (Asia/Shanghai), as naive UTC."""
    zone = ZoneInfo("Asia/Shanghai")
    local = now.replace(tzinfo=dt.UTC).astimezone(zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), zone)
    return now, midnight.astimezone(dt.UTC).replace(tzinfo=None)


def expected_counts(site: Site) -> dict[str, int]:
    """rep1's open tasks per group, straight from the database."""
    with site.app.app_context():
        st = state()
        task = st.models.cls("task").__table__
        user = st.appbuilder.sm.find_user(username="rep1").id
        due = st.db.session.scalars(sa.select(task.c.due_at).where(
            task.c.assignee_id == user, task.c.status.in_(("todo", "overdue")))).all()
    now, end = _days(utcnow())
    horizon = end + dt.timedelta(days=7)
    return {"overdue": sum(d < now for d in due), "today": sum(now <= d < end for d in due),
            "upcoming": sum(end <= d < horizon for d in due)}


def shown_counts(page) -> dict[str, int]:
    return {g: int(page.locator(f'[data-count="{g}"]').inner_text()) for g in GROUPS}


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_rep1_works_through_my_tasks(open_page, site, rep1_tasks, size, tmp_path):
    page = open_page("rep1", size)
    if size == "phone":
        page.click(".navbar-toggle")
    page.click("text=线索管理")
    page.click("text=我的待办")
    page.wait_for_url("**/tasks/mine/")
    for label in ("已逾期", "今天", "即将到期"):
        assert page.get_by_text(label).first.is_visible()
    before = shown_counts(page)
    assert before == expected_counts(site) and before["today"] >= 1
    assert page.get_by_text("浏览器测试：今天回电").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / f"my_tasks_{size}.png"), full_page=True)
    first = page.locator('[data-group="overdue"] li').first
    title = first.locator(".task-main a").first.inner_text()
    url = page.url
    first.get_by_role("button", name="完成").click()
    page.locator("#ll-task-message.alert-success").wait_for()
    assert page.get_by_text(f"任务已完成：{title}").is_visible() and page.url == url
    after = shown_counts(page)
    assert {g: int(page.locator(f'[data-tab-count="{g}"]').inner_text()) for g in GROUPS} == after
    assert after == {**before, "overdue": before["overdue"] - 1} == expected_counts(site)
    assert_quiet(page)
