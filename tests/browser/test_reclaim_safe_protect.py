"""A supervisor protects a lead from the nightly reclaim on its edit page: 保护至 is a
date on the form, shown in the record's header, its history and the list; the rep who
owns the lead sees it but cannot change it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from tests.browser.conftest import assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
UNTIL = "2027-01-31"


def open_lead_of(site, username: str) -> tuple[int, str]:
    """One of ``username``'s open leads in the first stage: (id, customer name)."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        user = st.appbuilder.sm.find_user(username=username)
        return st.db.session.execute(
            sa.select(lead.id, lead.customer_name).where(
                lead.owner_id == user.id, lead.status.in_(("assigned", "contacting")),
                lead.protected_until.is_(None), lead.merged_into.is_(None))
            .order_by(lead.id)).first()


def test_a_supervisor_protects_a_lead_and_the_rep_sees_it(open_page, site, tmp_path):
    lead_id, customer = open_lead_of(site, "rep1")
    page = open_page("sup1")
    page.goto(f"{site.url}/lead/edit/{lead_id}")
    field = page.locator("#protected_until")
    field.scroll_into_view_if_needed()
    field.fill(UNTIL)
    page.screenshot(path=str(tmp_path / "protect-edit.png"), full_page=False)
    with page.expect_navigation():
        page.click("#model_form button[type=submit], #model_form input[type=submit]")
    assert "/lead/edit/" not in page.url, page.inner_text("#model_form")
    page.goto(f"{site.url}/lead/show/{lead_id}")
    fact = page.locator(".ll-facts span", has_text="保护至").first
    assert UNTIL in fact.inner_text()  # in the header while it lasts
    rows = page.locator("tr", has_text="保护至")
    assert UNTIL in rows.first.inner_text()  # the field, then its entry in the history
    assert rows.count() == 2 and UNTIL in rows.last.inner_text()
    page.screenshot(path=str(tmp_path / "protect-shown.png"), full_page=True)
    with site.app.app_context():
        st = state()
        record = st.db.session.get(st.models.cls("lead"), lead_id)
        assert str(record.protected_until) == UNTIL
    assert_quiet(page)

    rep = open_page("rep1")
    rep.goto(f"{site.url}/lead/list/?_flt_0_customer_name={customer}")
    header = [h.strip() for h in rep.locator("table thead th").all_inner_texts()]
    row = rep.locator("table tbody tr", has_text=customer).first
    assert "保护至" in header and UNTIL in row.inner_text()
    rep.screenshot(path=str(tmp_path / "protect-list.png"), full_page=False)
    rep.goto(f"{site.url}/lead/edit/{lead_id}")
    assert rep.locator("input#protected_until").count() == 0  # shown as text, not an input
    assert UNTIL in rep.inner_text("#protected_until.ll-readonly")
    assert_quiet(rep)
