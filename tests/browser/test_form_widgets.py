"""A rep edits a lead at a desk and on a phone: the 关联客户 field finds a customer from
three typed characters (picked by keyboard at the desk, by a tap on the phone), and 15 typed
in the 万 field 预计金额 reads "15 万" on the lead's page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.records import Context
from leadloom.web.state import state
from tests.browser.conftest import SIZES, assert_quiet, log_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: the drop-down lists only customers whose name holds the typed text
FILTERED = """typed => {
  const items = [...document.querySelectorAll('#account-list li[data-id]')];
  return items.length > 0 && items.every(li => li.textContent.includes(typed));
}"""


def rep_lead_and_account(site, username: str, index: int) -> tuple[int, str]:
    """One of ``username``'s open leads without an account, and a customer they own."""
    with site.app.app_context():
        st = state()
        lead, account = st.models.cls("lead"), st.models.cls("account")
        user = st.appbuilder.sm.find_user(username=username)
        leads = st.db.session.scalars(
            sa.select(lead.id).where(lead.owner_id == user.id, lead.account_id.is_(None),
                                     lead.status.in_(("assigned", "contacting")),
                                     lead.merged_into.is_(None))
            .order_by(lead.id.desc())).all()
        names = st.db.session.scalars(
            sa.select(account.name).where(account.owner_id == user.id)
            .order_by(account.id)).all()
    return leads[index], names[index]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_rep_picks_a_customer_by_typing_and_enters_wan(open_page, site, size, tmp_path):
    lead_id, customer = rep_lead_and_account(site, "rep1", list(SIZES).index(size))
    page = open_page("rep1", size)
    page.goto(f"{site.url}/lead/edit/{lead_id}")
    assert page.locator("label[for=customer_name] strong").inner_text() == "*"
    box = page.locator("#account-text")
    box.scroll_into_view_if_needed()
    box.click()
    box.press_sequentially(customer[:3])
    page.wait_for_function(FILTERED, arg=customer[:3])
    choice = page.locator("#account-list li[data-id]", has_text=customer).first
    page.screenshot(path=str(tmp_path / f"lookup-{size}.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    if size == "phone":
        choice.tap()
    else:
        while "active" not in (choice.get_attribute("class") or ""):
            box.press("ArrowDown")
        box.press("Enter")
    assert box.input_value() == customer
    assert page.input_value("#account") == choice.get_attribute("data-id")
    assert page.locator(".input-group-addon", has_text="万").count() == 1
    page.fill("#expected_amount", "15")
    page.locator("#expected_amount").screenshot(path=str(tmp_path / f"wan-{size}.png"))
    with page.expect_navigation():
        page.click("#model_form button[type=submit], #model_form input[type=submit]")
    assert "/lead/edit/" not in page.url, page.inner_text("#model_form")
    page.goto(f"{site.url}/lead/show/{lead_id}")
    body = page.inner_text("body")
    assert "15 万" in body and customer in body
    page.screenshot(path=str(tmp_path / f"shown-{size}.png"), full_page=True)
    assert_quiet(page)


def solution_lead_without_amount(site, username: str) -> int:
    """One of ``username``'s leads in 方案 (solution), its expected amount cleared and its
    demo logged (leaving the stage asks for one)."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        user = st.appbuilder.sm.find_user(username=username)
        pk = st.db.session.scalars(
            sa.select(lead.id).where(lead.owner_id == user.id, lead.stage == "solution",
                                     lead.merged_into.is_(None))
            .order_by(lead.id)).first()
        st.db.session.execute(sa.update(lead).where(lead.id == pk)
                              .values(expected_amount=None))
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        log_demo(ctx, pk)
        st.db.session.commit()
    return pk


def test_a_move_that_asks_for_the_amount_takes_it_in_wan(open_page, site):
    lead_id = solution_lead_without_amount(site, "rep2")
    page = open_page("rep2", "phone")
    page.goto(f"{site.url}/lead/show/{lead_id}")
    amount = page.locator(".ll-next input[name=expected_amount]")
    assert amount.get_attribute("placeholder") == "预计金额(万)"
    amount.fill("15")
    with page.expect_navigation():
        page.click(".ll-next button[type=submit]")
    page.wait_for_selector(".alert-success")
    with site.app.app_context():
        st = state()
        record = st.db.session.get(st.models.cls("lead"), lead_id)
        assert (record.stage, str(record.expected_amount)) == ("negotiation", "150000.00")
    assert_quiet(page)
