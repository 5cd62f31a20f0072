"""Global search in the browser: a rep types a phone number, formatted as customers say it,
into the menu bar's box at a desk and on a phone, sees the lead and opens it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from tests.browser.conftest import assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: where the results pages' screenshots go (look at them after a change to the page)
SHOTS = Path(os.environ.get("LEADLOOM_SHOTS", "/tmp/leadloom-shots"))


def a_lead_of(site, username):
    """(id, customer name, phone) of one of ``username``'s leads with a mobile number no
    other lead has (the demo data has repeat inquiries: a shared number finds both)."""
    with site.app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username=username)
        cls = st.models.cls("lead")
        other = sa.orm.aliased(cls)
        shared = sa.select(other.id).where(other.contact_phone == cls.contact_phone,
                                           other.id != cls.id).exists()
        row = st.db.session.execute(sa.select(cls.id, cls.customer_name, cls.contact_phone)
                                    .where(cls.owner_id == user.id,
                                           cls.contact_phone.like("1%"), ~shared)
                                    .order_by(cls.id).limit(1)).one()
        st.db.session.rollback()
        return row


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_rep_finds_a_lead_by_phone_and_opens_it(open_page, site, size):
    lead_id, name, phone = a_lead_of(site, "rep1")
    page = open_page("rep1", size)
    box = page.locator("#ll-search input[name=q]")
    assert box.is_visible()  # in the menu bar, also when the menu is collapsed
    box.fill(f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}")
    box.press("Enter")
    page.wait_for_load_state()
    first = page.locator(".ll-hit").first
    assert name in first.inner_text() and phone in first.inner_text()
    assert "线索" in page.locator("#ll-search-results").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"search-{size}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1  # nothing scrolls sideways
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/lead/show/{lead_id}")
    assert name in page.content()
    assert_quiet(page)


def test_another_reps_lead_shows_as_a_notice_on_a_phone(open_page, site):
    lead_id, name, phone = a_lead_of(site, "rep1")
    page = open_page("rep3", "phone")
    page.locator("#ll-search input[name=q]").fill(phone)
    page.locator("#ll-search input[name=q]").press("Enter")
    page.wait_for_load_state()
    notices = page.locator("#ll-notices")
    assert "该号码已存在于他人线索" in notices.inner_text()
    assert "*" in page.locator(".ll-notice").first.inner_text()
    assert name not in page.content() and f"/lead/show/{lead_id}" not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search-notice-phone.png"), full_page=True)
    assert_quiet(page)
