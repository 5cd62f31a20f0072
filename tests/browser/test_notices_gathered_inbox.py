"""A gathered notice in the browser: rep1 at desk and phone size finds "12 条线索首次触达即将
超时" in the inbox, expands it to a table of the twelve leads (number, customer, grade,
deadline), opens one line and lands on that lead; in English the same notice reads
"12 leads: first touch due soon"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.records import Context
from leadloom.records.leads.notices import lead_notice, link
from leadloom.records.notify import notify_leads
from leadloom.web.state import state
from tests.browser.conftest import Site, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LEADS = 12


@pytest.fixture
def gathered(site: Site) -> Iterator[list[str]]:
    """Twelve first-touch warnings to rep1 about twelve of their leads, as one run of the
    rule sends them; deleted afterwards (the site is shared). Answers the lead numbers."""
    with site.app.app_context():
        st = state()
        table = st.models.metadata.tables[NOTIFICATION_TABLE]
        first = (st.db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        user = st.appbuilder.sm.find_user(username="rep1").id
        lead = st.models.cls("lead").__table__
        rows = list(st.db.session.execute(sa.select(lead).where(
            lead.c.owner_id == user, lead.c.lead_no.is_not(None)).order_by(lead.c.id)
            .limit(LEADS)))
        calendar = st.registry.lead_rules.base.calendar
        notify_leads(ctx, [user], "sla_warning", [
            (lead_notice("sla_warning", row, calendar, row.first_touch_due_at or row.created_at),
             link(row.id)) for row in rows])
        st.db.session.commit()
    yield [row.lead_no for row in rows]
    with site.app.app_context():
        state().db.session.execute(sa.delete(table).where(table.c.id >= first))
        state().db.session.commit()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_rep1_expands_a_gathered_notice_and_opens_a_lead(open_page, site, gathered, size,
                                                          tmp_path):
    assert len(gathered) == LEADS
    page = open_page("rep1", size)
    page.goto(f"{site.url}/notifications/")
    group = page.locator('details.ll-group[data-kind="sla_warning"]').first
    group.locator("summary .ll-day").click()
    notice = group.locator(f'details.ll-lines[data-lines="{LEADS}"]')
    assert notice.locator("summary").inner_text() == f"{LEADS} 条线索首次触达即将超时"
    notice.locator("summary").click()
    table = notice.locator("table")
    if size == "desk":  # a phone shows each lead on two lines, without the header
        assert [h.strip() for h in table.locator("th").all_inner_texts()] == [
            "线索编号", "客户名称", "分级", "截止时间"]
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == gathered[0] and cells[1] and cells[2] in ("A级", "B级", "C级", "未分级")
    assert len(cells[3]) == len("2026-01-05 09:00")
    assert table.locator("tbody tr").count() == LEADS
    box = notice.bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    page.screenshot(path=str(tmp_path / f"gathered_{size}.png"), full_page=True)
    print(tmp_path / f"gathered_{size}.png")
    with page.expect_navigation():
        table.get_by_text(gathered[1], exact=True).click()
    assert "/lead/show/" in page.url
    page.goto(f"{site.url}/lang/en")
    page.goto(f"{site.url}/notifications/")
    assert page.get_by_text(f"{LEADS} leads: first touch due soon").count() >= 1
    assert_quiet(page)
