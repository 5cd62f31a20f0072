"""A lead's page says where its first touch stands, at a desk and on a phone: a lead just
given to a rep is 待首次联系 with its deadline, a demo lead touched late says so with how
late, one never touched says how long it is overdue."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from leadloom.records import create
from leadloom.records.service import Context
from leadloom.web.state import state
from tests.browser.conftest import SIZES, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDING = {
    "pending": r"^待首次联系 · 截止 (\d{4}-)?\d\d-\d\d \d\d:\d\d$",
    "breached_then_met": r"^首次联系超时后完成（晚 .*(分钟|小时|天).*）$",
    "breached": r"^首次联系已超时 .*(分钟|小时|天).* · 截止 (\d{4}-)?\d\d-\d\d \d\d:\d\d$",
    "met": r"^首次联系按时完成$",
}


def rep1_leads_by_state(site) -> dict[str, int]:
    """One of rep1's leads per first-touch SLA state (a new one for ``pending``)."""
    from leadloom.access import Actor

    with site.app.app_context():
        st = state()
        session = st.db.session
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        source = session.scalar(sa.select(st.models.cls("source").id).limit(1))
        ctx = Context(Actor.system_actor(), session, st.models, channel="test")
        new = create(ctx, "lead", {
            "customer_name": "徽章测试客户有限公司", "industry": "manufacturing",
            "contact_name": "周经理", "source": source, "need_description": "需要CRM系统",
            "owner": rep1}).id
        session.commit()
        sla = st.models.metadata.tables["ll_sla_record"]
        found = dict(session.execute(
            sa.select(sla.c.state, sa.func.min(sla.c.lead_id)).where(
                sla.c.kind == "first_touch", sla.c.owner_id == rep1,
                sla.c.state.in_(("met", "breached_then_met", "breached")))
            .group_by(sla.c.state)).all())
    return {**found, "pending": new}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_first_touch_badge_says_the_state(open_page, site, size, tmp_path):
    leads = rep1_leads_by_state(site)
    assert set(leads) >= {"pending", "breached_then_met", "met"}, leads
    page = open_page("rep1", size)
    for sla_state, lead_id in leads.items():
        page.goto(f"{site.url}/lead/show/{lead_id}")
        badge = page.locator(f'.ll-sla[data-sla="first_touch:{sla_state}"]')
        assert badge.count() == 1
        assert re.match(WORDING[sla_state], badge.inner_text().strip()), badge.inner_text()
        box = badge.bounding_box()
        assert box is not None and box["x"] + box["width"] <= SIZES[size]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.screenshot(path=str(tmp_path / f"sla-{sla_state}-{size}.png"))
    assert_quiet(page)
