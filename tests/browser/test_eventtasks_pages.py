"""Event-driven tasks and exit criteria in the browser, at desk and phone width: rep1 logs a
demo on a lead's page and finds 发送演示资料 in 我的待办 with its working-day due date; a
move out of 方案呈现 without a demo follow-up is refused with the message naming it."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.records import Context, create, update
from leadloom.records.leads import clock
from leadloom.web.state import state
from tests.browser.conftest import SIZES, Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}


def fresh_lead(site: Site, **values) -> tuple[int, str]:
    """A new lead of rep1's (id, number), optionally put somewhere by the system."""
    with site.app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        source = st.models.cls("source")
        web = st.db.session.scalar(sa.select(source.id).where(source.code == "WEB"))
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        lead = create(ctx, "lead", {
            "customer_name": f"演示资料客户{uuid.uuid4().hex[:8]}", "industry": "manufacturing",
            "contact_name": "周经理", "source": web, "need_description": "需要CRM",
            "owner": rep1, "expected_amount": 300000, "expected_close_date": "2031-06-30",
            **A})
        if values:
            update(ctx, "lead", lead.id, values)
        return lead.id, lead.lead_no


def expected_due(site: Site) -> str:
    """Three working days from now, as 我的待办 shows it (MM-DD HH:MM, Shanghai)."""
    with site.app.app_context():
        calendar = state().registry.lead_rules.base.calendar
        due = calendar.add_working_days(clock.now(), 3)
        return calendar.local(due).strftime("%m-%d %H:%M")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_logged_demo_puts_send_materials_in_my_tasks(open_page, site, size, tmp_path):
    lead_id, number = fresh_lead(site)
    page = open_page("rep1", size)
    page.goto(f"{site.url}/lead/show/{lead_id}")
    page.click(".ll-actions >> text=记录跟进")
    page.wait_for_selector("#ll-log.in")
    form = page.locator("#ll-log")
    form.locator("[name=method]").select_option("online_demo", force=True)
    form.locator("[name=kind]").select_option("demo", force=True)
    form.locator("[name=customer_feedback]").select_option("interested", force=True)
    form.locator("[name=summary]").fill("线上演示，客户关注数据安全模块")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.goto(f"{site.url}/tasks/mine/")
    row = page.locator(".task-row", has_text=f"发送演示资料（{number}）")
    row.wait_for()
    assert expected_due(site) in row.inner_text()
    row.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / f"eventtasks-my-tasks-{size}.png"))
    assert_quiet(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_move_without_the_demo_is_refused_with_what_is_missing(open_page, site, size,
                                                                  tmp_path):
    lead_id, _ = fresh_lead(site, stage="solution")
    page = open_page("rep1", size)
    page.goto(f"{site.url}/lead/show/{lead_id}")
    with page.expect_navigation():
        page.click(".ll-head >> text=推进到 谈判推进")
    alert = page.locator(".alert-danger")
    assert "完成方案呈现前需先添加跟进记录（跟进类型：产品演示）" in alert.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / f"eventtasks-refused-{size}.png"), full_page=False)
    with site.app.app_context():
        lead = state().models.cls("lead")
        assert state().db.session.scalar(sa.select(lead.stage).where(
            lead.id == lead_id)) == "solution"
    assert_quiet(page)
