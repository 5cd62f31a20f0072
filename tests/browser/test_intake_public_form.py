"""A visitor fills the public form on a phone, with a phone number one digit short: the
thank-you page shows, and a supervisor finds the lead 待核实 with its flag."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SIZES, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def visit(browser, site, size):
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size],
                                  has_touch=size == "phone", is_mobile=size == "phone")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{site.url}/intake/website")
    return context, page


def lead_id(site, customer_name):
    from leadloom.web.state import state

    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        return st.db.session.scalar(sa.select(lead.id).where(
            lead.customer_name == customer_name))


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_visitor_submits_and_the_lead_waits_to_be_verified(browser, site, open_page,
                                                             tmp_path, size):
    name = f"浏览器访客{uuid.uuid4().hex[:8]}"
    context, page = visit(browser, site, size)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.screenshot(path=str(tmp_path / f"intake-form-{size}.png"), full_page=True)
    page.fill("#f-customer_name", name)
    page.fill("#f-contact_name", "陈女士")
    with page.expect_navigation():  # no phone, no e-mail: the form again, as typed
        page.click("button[type=submit]")
    assert "请至少留下一种联系方式" in page.content()
    assert page.input_value("#f-customer_name") == name
    page.screenshot(path=str(tmp_path / f"intake-refused-{size}.png"), full_page=True)
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 "
        "(UNPROCESSABLE ENTITY)"]  # Chromium notes the refusal's status, nothing else
    page.console_errors.clear()
    page.fill("#f-contact_phone", "1391234567")
    page.select_option("#f-industry", "manufacturing")
    page.fill("#f-need_description", "想了解贵司的生产排程方案")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "感谢您的咨询" in page.content()
    page.screenshot(path=str(tmp_path / f"intake-thanks-{size}.png"), full_page=True)
    assert_quiet(page)
    context.close()
    lead = lead_id(site, name)
    assert lead is not None
    record = open_page("admin", size)
    record.goto(f"{site.url}/lead/show/{lead}")
    text = record.content()
    assert "待核实" in text and "电话格式有误" in text and "1391234567" in text
    record.screenshot(path=str(tmp_path / f"intake-lead-{size}.png"), full_page=True)
