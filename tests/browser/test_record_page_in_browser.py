"""A rep works a lead from its page, at a desk and on a phone: the header shows the number
and the grade, a follow-up logged inline appears in the timeline, the next stage is one
click with a success message, and a refused move says why in Chinese."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from leadloom.workflow.stages import funnel_of, requirements, stage_label
from tests.browser.conftest import SIZES, assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def movable_lead(site, username: str, index: int) -> tuple[int, str, str, str]:
    """One of ``username``'s open graded leads whose next stage needs nothing more (id,
    number, grade, next stage's label), by id; the tests take different ones."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        view = st.registry.entity("lead")
        funnel = funnel_of(st.registry, "lead", None)
        user = st.appbuilder.sm.find_user(username=username)
        found = []
        for record in st.db.session.scalars(sa.select(lead).where(
                lead.owner_id == user.id, lead.grade.is_not(None),
                lead.merged_into.is_(None)).order_by(lead.id)):
            stage = funnel.stage(record.stage)
            if stage is None or stage.outcome != "open" or not stage.moves:
                continue
            target = funnel.stage(stage.moves[0].to)
            leave, enter = requirements(funnel, stage, target, "next")
            if target.related is None and not stage.leave_records and all(
                    getattr(record, c) is not None for c in (*leave, *enter)):
                found.append((record.id, record.lead_no, record.grade,
                              stage_label(view, funnel, target.code, "zh")))
    return found[index]


@pytest.mark.parametrize("size", list(SIZES))
def test_rep_works_a_lead_from_its_page(open_page, site, size, tmp_path):
    lead_id, number, grade, target = movable_lead(site, "rep1", list(SIZES).index(size))
    page = open_page("rep1", size)
    page.goto(f"{site.url}/lead/show/{lead_id}")
    head = page.inner_text(".ll-head")
    assert number in head and "线索分级" in head and grade in head
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.screenshot(path=str(tmp_path / f"record-{size}.png"), full_page=True)

    page.click(".ll-actions >> text=记录跟进")
    page.wait_for_selector("#ll-log.in")
    summary = f"电话确认预算 {uuid.uuid4().hex[:6]}"
    page.select_option("#ll-log select[name=method]", "phone", force=True)
    page.select_option("#ll-log select[name=customer_feedback]", "interested", force=True)
    page.fill("#ll-log textarea[name=summary]", summary)
    page.fill("#ll-log input[name=next_action]", "发送报价")
    with page.expect_navigation():
        page.click("#ll-log button[type=submit]")
    assert page.url.endswith(f"/lead/show/{lead_id}")
    assert "跟进已记录" in page.inner_text(".alert-success")
    assert page.locator(".ll-timeline li", has_text=summary).count() == 1

    with page.expect_navigation():
        page.click(".ll-next button[type=submit]")
    assert f"已移动到 {target}" in page.inner_text(".alert-success")
    assert target in page.inner_text(".ll-path .current")
    page.screenshot(path=str(tmp_path / f"record-moved-{size}.png"), full_page=True)
    assert_quiet(page)


def test_a_refused_move_says_why_in_chinese(open_page, site):
    lead_id, *_ = movable_lead(site, "rep1", 2)
    page = open_page("rep1", "phone")
    page.goto(f"{site.url}/lead/show/{lead_id}")
    page.click(".ll-actions >> text=标记流失")
    page.wait_for_selector("#ll-lose.in")  # the drawer has opened
    with page.expect_navigation():
        page.click("#ll-lose button[type=submit]")
    assert "未转化原因" in page.inner_text(".alert-danger")
    assert "输单" not in page.inner_text(".ll-path .current")
    assert_quiet(page)
