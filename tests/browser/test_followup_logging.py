"""A rep logs a follow-up from a lead's page, at a desk and on a phone: the lead is
preselected, the time starts at now and keeps its hour, and the save returns to the lead."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from leadloom.records.leads import clock
from leadloom.web.state import state
from tests.browser.conftest import SIZES, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def frozen(monkeypatch):
    """The rules' clock after 09:30 Shanghai time on 2026-11-30 (no future follow-ups)."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 30, 12, 0))


def rep_lead(site, username: str, index: int) -> int:
    """One of ``username``'s open leads (the demo data's, by id)."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        user = st.appbuilder.sm.find_user(username=username)
        ids = st.db.session.scalars(
            sa.select(lead.id).where(lead.owner_id == user.id,
                                     lead.status.in_(("assigned", "contacting", "nurturing")),
                                     lead.merged_into.is_(None)).order_by(lead.id)).all()
    return ids[index]


def open_followup_form(page, site, lead_id: int) -> None:
    """The full form, from the lead page's inline one (记录跟进 → 完整表单)."""
    page.goto(f"{site.url}/lead/show/{lead_id}")
    page.click(".ll-actions >> text=记录跟进")
    page.wait_for_selector("#ll-log.in")  # the drawer has opened
    with page.expect_navigation():
        page.click("#ll-log >> text=完整表单")


def fill_followup(page, summary: str) -> None:
    page.fill("#occurred_at", "2026-11-30T09:30")
    page.select_option("#method", "phone", force=True)
    page.select_option("#customer_feedback", "interested", force=True)
    page.fill("#summary", summary)
    page.fill("#next_action_due", "2026-12-03")


@pytest.mark.parametrize("size", list(SIZES))
def test_rep_logs_a_follow_up_and_returns_to_the_lead(open_page, site, frozen, size, tmp_path):
    lead_id = rep_lead(site, "rep1", list(SIZES).index(size))
    page = open_page("rep1", size)
    open_followup_form(page, site, lead_id)
    assert "/followup/add" in page.url
    assert page.input_value("#lead") == str(lead_id)
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT")
    assert page.input_value("#occurred_at").startswith(today)
    page.screenshot(path=str(tmp_path / f"followup-form-{size}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    summary = f"电话确认需求 {uuid.uuid4().hex[:6]}"
    fill_followup(page, summary)
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    assert page.url.endswith(f"/lead/show/{lead_id}")
    assert "记录已添加" in page.inner_text(".alert-success")
    entry = page.locator(".ll-timeline li", has_text=summary)
    assert "2026-11-30 09:30" in entry.inner_text()
    assert_quiet(page)


def test_a_failed_save_keeps_what_was_typed(open_page, site, frozen):
    lead_id = rep_lead(site, "rep1", 2)
    page = open_page("rep1", "phone")
    open_followup_form(page, site, lead_id)
    fill_followup(page, "")
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    assert "/followup/add" in page.url
    assert page.input_value("#occurred_at") == "2026-11-30T09:30"
    assert page.input_value("#next_action_due") == "2026-12-03"
    assert page.input_value("#lead") == str(lead_id)
    assert "沟通要点" in page.inner_text("form[method=post]")  # not the navbar's search
    assert_quiet(page)
