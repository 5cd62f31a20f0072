"""申请协作 in the browser: rep3 (west) searches the phone of an east lead on a phone and at a
desk, sees the notice instead of the lead, clicks 申请协作 and reads the confirmation; the
owner and the owner's supervisor have a message linking to the lead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet
from tests.browser.test_search_box import a_lead_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def asks_cleared(site: Site) -> Iterator[None]:
    """The asks made here are removed afterwards (the site is shared, the inbox counted)."""
    yield
    with site.app.app_context():
        table = state().models.metadata.tables[NOTIFICATION_TABLE]
        state().db.session.execute(sa.delete(table).where(table.c.key.like("ask:%")))
        state().db.session.commit()


def _told(site: Site, link: str) -> set[str]:
    """Who got a collaboration request linking to ``link``."""
    with site.app.app_context():
        st = state()
        table = st.models.metadata.tables[NOTIFICATION_TABLE]
        ids = set(st.db.session.scalars(sa.select(table.c.user_id).where(
            table.c.kind == "collab_request", table.c.link == link)))
        names = {u.username for u in st.appbuilder.sm.get_all_users() if u.id in ids}
        st.db.session.rollback()
        return names


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_rep3_asks_to_collaborate_from_the_notice(open_page, site: Site, asks_cleared,
                                                  size: str) -> None:
    lead_id, name, phone = a_lead_of(site, "rep2")
    page = open_page("rep3", size)
    page.locator("#ll-search input[name=q]").fill(phone)
    page.locator("#ll-search input[name=q]").press("Enter")
    page.wait_for_load_state()
    notice = page.locator(".ll-notice").first
    assert notice.is_visible() and name not in page.content()
    ask = notice.get_by_role("button", name="申请协作")
    assert ask.is_visible() and notice.get_by_role("button", name="申请转移").is_visible()
    ask.click()
    answer = notice.locator(".ll-ask-answer.text-success")
    answer.wait_for()
    assert answer.inner_text() == "已申请协作：已通知负责人及其主管（2 人）"
    assert ask.is_disabled()
    assert _told(site, f"/lead/show/{lead_id}") == {"rep2", "sup1"}
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.screenshot(path=f"/tmp/agenda-search-{size}.png", full_page=True)
    assert_quiet(page)
