"""The grouped inbox in the browser: rep1 at desk and phone size opens the bell, sees today's
已回收 group with its count, expands it to the rows, marks the group read and the bell's
count drops by the group's size."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.model.tables import utcnow
from leadloom.records import Context
from leadloom.records.notify import inbox, notify
from leadloom.web.labels import local_time
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def reclaimed(site: Site) -> Iterator[str]:
    """Three unread 已回收 messages for rep1, made now; deleted afterwards (the site is
    shared). Answers their common title prefix."""
    prefix = f"浏览器测试 {uuid.uuid4().hex[:6]}"
    with site.app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        user = st.appbuilder.sm.find_user(username="rep1").id
        for n in range(3):
            notify(ctx, user, "reclaimed", f"{prefix}：线索 {n} 已被收回公海", "/lead/list/")
        st.db.session.commit()
    yield prefix
    with site.app.app_context():
        table = state().models.metadata.tables[NOTIFICATION_TABLE]
        state().db.session.execute(sa.delete(table).where(table.c.title.like(f"{prefix}%")))
        state().db.session.commit()


def _today_reclaimed(site: Site) -> tuple[str, int]:
    """Today's local date and rep1's unread 已回收 messages of today, from the database."""
    with site.app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username="rep1").id
        today = local_time(utcnow()).date()
        unread = inbox(st.db.session, st.models, user, unread_only=True, limit=5000)
        return today.isoformat(), sum(m.kind == "reclaimed"
                                      and local_time(m.created_at).date() == today
                                      for m in unread)


def _bell(page) -> int:
    badge = page.locator("#ll-unread")
    return int(badge.text_content()) if badge.count() else 0


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_rep1_marks_a_group_read(open_page, site, reclaimed, size, tmp_path):
    page = open_page("rep1", size)
    if size == "phone":
        page.click(".navbar-toggle")
    page.click("#ll-inbox")
    page.wait_for_url("**/notifications/")
    today, expected = _today_reclaimed(site)
    assert expected >= 3
    group = page.locator(f'details.ll-group[data-kind="reclaimed"][data-day="{today}"]')
    summary = group.locator("summary")
    assert summary.is_visible() and group.get_attribute("data-count") == str(expected)
    assert "今天" in summary.inner_text() and "已回收" in summary.inner_text()
    assert summary.locator(".ll-count").inner_text() == str(expected)
    row = page.get_by_text(f"{reclaimed}：线索 0 已被收回公海")
    assert not row.is_visible()
    summary.locator(".ll-day").click()
    assert row.is_visible() and row.get_attribute("href").startswith("/notifications/open/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / f"inbox_{size}.png"), full_page=True)
    before = _bell(page)
    group.locator("button.ll-group-read").click()
    page.wait_for_load_state()
    assert group.count() == 0 and _today_reclaimed(site)[1] == 0
    assert _bell(page) == before - expected
    assert_quiet(page)
