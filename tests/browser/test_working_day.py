"""A scripted working day per role (rep, supervisor, finance, marketing, admin), at a desk
(1440×900) and on a phone (390×844): each role walks the screens of its day in Chinese and
the test asserts on what the pages show (texts, counts, a saved follow-up in the timeline,
a refused move's message), with no error in the browser console.

The records a day needs and the demo lacks (a lead in the pool, an approval, a contract
waiting for finance) are made through the write path here and removed afterwards, as the
site is shared. Screenshots of the key screens go to ``$LEADLOOM_SHOTS``: look at them after
a change to a page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.model.leads import LEAD_EVENT_TABLE
from leadloom.model.workflow import APPROVAL_TABLE, AUDIT_TABLE, STAGE_TABLE
from leadloom.records import Context, create, membership, transition
from leadloom.web.state import state
from tests.browser.conftest import SIZES, Site, assert_quiet, log_demo
from tests.browser.test_record_page_in_browser import movable_lead
from tests.browser.test_search_box import SHOTS, a_lead_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LIST_COUNT = re.compile(r"共 (\d+) 条")
SHANGHAI = ZoneInfo("Asia/Shanghai")


# ---------------------------------------------------------------- helpers

def shoot(page: object, name: str, size: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"day-{name}-{size}.png"), full_page=True)


def fits(page: object) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_menu(page: object, size: str) -> None:
    """On a phone the menu is collapsed behind the toggle."""
    if size == "phone":
        page.click(".navbar-toggle")


def card(page: object, title: str) -> object:
    return page.locator("section[data-card]", has=page.locator(".panel-heading",
                                                               has_text=title))


def stat(page: object, card_title: str, label: str) -> object:
    """The number of the stat labelled ``label`` in the card titled ``card_title``."""
    return card(page, card_title).locator(".ll-stat", has_text=label).locator(
        "a.ll-num, b").first


def list_count(page: object) -> int:
    found = LIST_COUNT.search(page.inner_text("#ll-total"))
    assert found, page.url
    return int(found.group(1))


def open_count(page: object, number: object) -> int:
    """Click a home number; the list it opens shows that count."""
    count = int(number.inner_text())
    with page.expect_navigation():
        number.click()
    assert "/list/" in page.url
    assert list_count(page) == count, page.url
    return count


def context_of(username: str) -> Context:
    """Acting as ``username`` with their roles, team and unit (as the web app does)."""
    st = state()
    user = st.appbuilder.sm.find_user(username=username)
    place = membership(st.db.session, st.models, user.id)
    actor = Actor(user.id, username, tuple(r.name for r in user.roles), team=place.team,
                  unit=place.unit)
    return Context(actor, st.db.session, st.models, channel="test")


def user_id(site: Site, username: str) -> int:
    with site.app.app_context():
        return state().appbuilder.sm.find_user(username=username).id


def remove(site: Site, table_name: str, ids: list[int]) -> None:
    """Delete the rows a test made, the rows that point at them and their history (whose
    record ids a new record may reuse)."""
    with site.app.app_context():
        st = state()
        tables = st.models.metadata.tables
        table = tables[table_name]
        for other in st.models.metadata.sorted_tables[::-1]:
            for fk in other.foreign_keys:
                if fk.column is table.c.id:
                    st.db.session.execute(sa.delete(other).where(fk.parent.in_(ids)))
        for history in (tables[AUDIT_TABLE], tables[STAGE_TABLE]):
            st.db.session.execute(sa.delete(history).where(
                history.c.entity == table_name, history.c.record_id.in_(ids)))
        if table_name == "lead":
            events = tables[LEAD_EVENT_TABLE]
            st.db.session.execute(sa.delete(events).where(events.c.lead_id.in_(ids)))
        st.db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
        st.db.session.commit()


# ---------------------------------------------------------------- rep

def losable_lead(site: Site, username: str, nth: int) -> tuple[int, str, str, str]:
    """The ``nth`` from the end of ``username``'s movable leads that have no loss reason
    yet, so marking one lost asks for it (other tests of the session move leads too)."""
    found = []
    for back in range(1, 60):
        candidate = movable_lead(site, username, -back)
        with site.app.app_context():
            st = state()
            record = st.db.session.get(st.models.cls("lead"), candidate[0])
            if record.lost_reason is None:
                found.append(candidate)
            st.db.session.rollback()
        if len(found) > nth:
            return found[nth]
    raise AssertionError(f"{username} has no lead to mark lost")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_reps_day(open_page, site: Site, size: str) -> None:
    lead_id, number, _, target = losable_lead(site, "rep1", list(SIZES).index(size))
    _, name, phone = a_lead_of(site, "rep1")
    page = open_page("rep1", size)
    for title in ("我的今日", "我的漏斗", "本月业绩", "未读通知"):
        assert card(page, title).count() == 1
    assert fits(page)
    shoot(page, "rep-home", size)
    overdue = stat(page, "我的今日", "逾期跟进")
    assert int(overdue.inner_text()) > 0  # the demo's history ended in the past
    open_count(page, overdue)

    page.goto(f"{site.url}/lead/show/{lead_id}")
    assert number in page.inner_text(".ll-head")
    page.click(".ll-actions >> text=记录跟进")
    page.wait_for_selector("#ll-log.in")
    summary = f"工作日回访 {uuid.uuid4().hex[:6]}"
    yesterday = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)
    page.select_option("#ll-log select[name=method]", "phone", force=True)
    page.fill("#ll-log [name=occurred_at]", f"{yesterday}T10:15")
    page.select_option("#ll-log select[name=customer_feedback]", "interested", force=True)
    page.fill("#ll-log textarea[name=summary]", summary)
    page.fill("#ll-log input[name=next_action]", "发送报价单")
    page.fill("#ll-log [name=next_action_due]", str(yesterday + dt.timedelta(days=4)))
    with page.expect_navigation():
        page.click("#ll-log button[type=submit]")
    assert page.url.endswith(f"/lead/show/{lead_id}")
    assert "跟进已记录" in page.inner_text(".alert-success")
    entry = page.locator(".ll-timeline li", has_text=summary)
    assert entry.count() == 1 and f"{yesterday} 10:15" in entry.inner_text()
    shoot(page, "rep-lead-logged", size)

    page.click(".ll-actions >> text=标记流失")
    page.wait_for_selector("#ll-lose.in")  # the drawer has opened
    with page.expect_navigation():
        page.click("#ll-lose button[type=submit]")
    refusal = page.inner_text(".alert-danger")
    assert "未转化原因" in refusal and not re.search(r"[A-Za-z]{2,}", refusal), refusal
    shoot(page, "rep-lead-refused", size)
    with page.expect_navigation():
        page.click(".ll-next button[type=submit]")
    assert f"已移动到 {target}" in page.inner_text(".alert-success")
    assert target in page.inner_text(".ll-path .current")

    open_menu(page, size)
    page.click("text=线索管理")
    page.click("text=我的待办")
    page.wait_for_url("**/tasks/mine/")
    before = int(page.locator('[data-count="overdue"]').inner_text())
    first = page.locator('[data-group="overdue"] li').first
    title = first.locator(".task-main a").first.inner_text()
    first.get_by_role("button", name="完成").click()
    page.locator("#ll-task-message.alert-success").wait_for()
    assert page.get_by_text(f"任务已完成：{title}").is_visible()
    assert int(page.locator('[data-count="overdue"]').inner_text()) == before - 1
    shoot(page, "rep-tasks", size)

    box = page.locator("#ll-search input[name=q]")
    box.fill(f"{phone[:3]} {phone[3:7]} {phone[7:]}")
    box.press("Enter")
    page.wait_for_load_state()
    hit = page.locator(".ll-hit").first
    assert name in hit.inner_text() and phone in hit.inner_text()
    assert fits(page)
    assert_quiet(page)


# ---------------------------------------------------------------- supervisor

@pytest.fixture
def pool_lead(site: Site) -> Iterator[str]:
    """A lead sup1 enters into east-1's pool (the demo's leads all have owners): its name."""
    name = f"公海工作日客户{uuid.uuid4().hex[:6]}"
    with site.app.app_context():
        st = state()
        ctx = context_of("sup1")
        web = st.db.session.query(st.models.cls("source")).filter_by(code="WEB").one().id
        made = create(ctx, "lead", {
            "customer_name": name, "industry": "trade", "source": web,
            "contact_name": "冯经理", "need_description": "CRM", "budget_status": "unclear",
            "need_clarity": "vague",
            "contact_phone": f"139{uuid.uuid4().int % 10**8:08d}"}).id
        st.db.session.commit()
    yield name
    remove(site, "lead", [made])


@pytest.fixture
def approval(site: Site) -> Iterator[int]:
    """rep2 asks to skip a lead ahead (discovery → negotiation), its demo logged (a skip needs
    what the stages it jumps over need): sup1's approval."""
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        ctx = context_of("rep2")
        pk = st.db.session.scalars(sa.select(lead.id).where(
            lead.owner_id == ctx.actor.user_id, lead.stage == "discovery",
            lead.merged_into.is_(None)).order_by(lead.id.desc())).first()
        log_demo(ctx, pk)
        asked = transition(ctx, "lead", pk, "negotiation", comment="客户已确认方案，直接谈判",
                           values={"expected_amount": 300000})
        st.db.session.commit()
    assert asked.approval_id is not None
    yield asked.approval_id
    remove(site, APPROVAL_TABLE, [asked.approval_id])


@pytest.mark.parametrize("size", list(SIZES))
def test_a_supervisors_day(open_page, site: Site, pool_lead: str, approval: int,
                           size: str) -> None:
    page = open_page("sup1", size)
    assert card(page, "团队今日").count() == 1
    members = card(page, "团队成员").locator("tbody tr")
    assert members.count() == 2  # rep1 and rep2 of east-1
    waiting = int(stat(page, "团队今日", "待我审批").inner_text())
    assert waiting >= 1
    assert fits(page)
    shoot(page, "sup-home", size)
    open_count(page, members.first.locator("a.ll-num[href*='view=overdue']"))

    page.goto(f"{site.url}/pool/?q={pool_lead}")
    row = page.locator("#ll-pool tbody tr", has_text=pool_lead)
    assert row.count() == 1
    rep2 = str(user_id(site, "rep2"))
    row.locator("select[name=owner]").select_option(rep2)
    with page.expect_navigation():
        row.locator("button", has_text="分配").click()
    assert "已分配" in page.inner_text(".alert-success")
    page.goto(f"{site.url}/pool/?q={pool_lead}")
    assert page.locator("#ll-pool tbody tr", has_text=pool_lead).count() == 0
    shoot(page, "sup-pool", size)

    page.goto(f"{site.url}/approvals/")
    assert int(page.locator("h4", has_text="待我审批").locator(".badge").inner_text()) == waiting
    ask = page.locator(f'tr[data-approval="{approval}"]')
    assert "谈判推进" in ask.inner_text() and "客户已确认方案" in ask.inner_text()
    shoot(page, "sup-approvals", size)
    ask.locator(".ll-comment").fill("同意，尽快推进")
    with page.expect_navigation():
        ask.get_by_role("button", name="同意").click()
    assert page.locator(f'tr[data-approval="{approval}"] .ll-decide').count() == 0
    assert int(page.locator("h4", has_text="待我审批").locator(".badge").inner_text()) == (
        waiting - 1)

    page.goto(f"{site.url}/board/lead/")
    whole = board_total(page)
    with page.expect_navigation():
        page.select_option("#ll-owner", rep2)
    assert f"owner={rep2}" in page.url and 0 < board_total(page) < whole
    assert fits(page)
    shoot(page, "sup-board", size)
    assert_quiet(page)


def board_total(page: object) -> int:
    return sum(int(c) for c in page.locator(".ll-col .ll-count").all_inner_texts())


# ---------------------------------------------------------------- finance

@pytest.fixture
def pending_contract(site: Site) -> Iterator[tuple[int, str]]:
    """A contract rep1 signed today, waiting for finance (id, number)."""
    number = f"HT-DAY-{uuid.uuid4().hex[:6].upper()}"
    with site.app.app_context():
        st = state()
        ctx = context_of("rep1")
        account = st.models.cls("account")
        mine = st.db.session.scalars(sa.select(account.id).where(
            account.owner_id == ctx.actor.user_id).order_by(account.id)).first()
        made = create(ctx, "contract", {
            "contract_no": number, "account": mine, "amount": 128000,
            "sign_date": dt.datetime.now(SHANGHAI).date(),
            "product_type": ["subscription"]}).id
        st.db.session.commit()
    yield made, number
    remove(site, "contract", [made])


@pytest.mark.parametrize("size", list(SIZES))
def test_a_finance_day(open_page, site: Site, pending_contract: tuple[int, str],
                       size: str) -> None:
    contract_id, number = pending_contract
    page = open_page("fin1", size)
    waiting = stat(page, "待财务确认合同", "合同数")
    before = int(waiting.inner_text())
    assert before >= 1 and fits(page)
    shoot(page, "fin-home", size)
    open_count(page, waiting)
    assert number in page.inner_text("body")

    page.goto(f"{site.url}/contract/show/{contract_id}")
    confirm = page.locator(".ll-confirm")
    assert "待财务确认" in confirm.inner_text()
    shoot(page, "fin-contract", size)
    with page.expect_navigation():
        confirm.get_by_role("button", name="确认", exact=True).click()
    assert "已确认" in page.locator(".ll-confirm").inner_text()
    page.goto(f"{site.url}/")
    assert int(stat(page, "待财务确认合同", "合同数").inner_text()) == before - 1
    assert_quiet(page)


# ---------------------------------------------------------------- marketing

@pytest.fixture
def added_leads(site: Site) -> Iterator[list[str]]:
    """The names of the leads a test adds through the form; removed afterwards."""
    names: list[str] = []
    yield names
    with site.app.app_context():
        st = state()
        lead = st.models.cls("lead")
        ids = list(st.db.session.scalars(sa.select(lead.id).where(
            lead.customer_name.in_(names))))
        st.db.session.rollback()
    remove(site, "lead", ids)


def pick(page: object, field: str, typed: str, choice: str) -> None:
    """Choose ``choice`` in a search-as-you-type field by typing ``typed``."""
    box = page.locator(f"#{field}-text")
    box.scroll_into_view_if_needed()
    box.click()
    box.press_sequentially(typed)
    page.locator(f"#{field}-list li[data-id]", has_text=choice).first.click()
    assert box.input_value() == choice


@pytest.mark.parametrize("size", list(SIZES))
def test_a_marketing_day(open_page, site: Site, added_leads: list[str], size: str) -> None:
    page = open_page("mkt1", size)
    new_today = stat(page, "今日线索获取", "今日新增")
    before = int(new_today.inner_text())
    assert fits(page)
    shoot(page, "mkt-home", size)

    page.goto(f"{site.url}/lead/add")
    name = f"工作日展会客户{uuid.uuid4().hex[:6]}"
    added_leads.append(name)
    assert page.locator("label[for=customer_name] strong").inner_text() == "*"  # required
    assert page.locator("select#stage").count() == 0  # the funnel is sales' to move
    page.fill("#customer_name", name)
    page.select_option("#industry", "trade", force=True)
    pick(page, "source", "展会", "行业展会")
    page.fill("#contact_name", "冯经理")
    page.fill("#need_description", "展会上咨询CRM")
    page.select_option("#budget_status", "unclear", force=True)
    page.select_option("#need_clarity", "vague", force=True)
    shoot(page, "mkt-add", size)
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    assert page.locator(".alert-success").count(), page.inner_text("body")[:500]

    page.goto(f"{site.url}/")
    new_today = stat(page, "今日线索获取", "今日新增")
    assert int(new_today.inner_text()) == before + 1
    by_source = card(page, "今日线索获取").locator("tbody tr", has_text="行业展会")
    assert int(by_source.locator("a.ll-num").first.inner_text()) >= 1
    shoot(page, "mkt-home-after", size)
    open_count(page, new_today)
    assert name in page.inner_text("body")
    assert_quiet(page)


# ---------------------------------------------------------------- admin

@pytest.mark.parametrize("size", list(SIZES))
def test_an_admins_day(open_page, site: Site, size: str) -> None:
    page = open_page("admin", size)
    health = card(page, "系统状态")
    assert stat(page, "系统状态", "当前配置版本").inner_text() == "1"
    assert stat(page, "系统状态", "失败任务").inner_text() == "0"
    assert "后台任务模式" in health.inner_text()
    assert fits(page)
    shoot(page, "admin-home", size)

    page.goto(f"{site.url}/config/versions/")
    current = page.locator("tr", has_text="当前")
    assert current.count() == 1 and current.locator("td").first.inner_text() == "1"
    shoot(page, "admin-versions", size)
    page.goto(f"{site.url}/users/list/")
    for username in ("rep1", "sup1", "fin1", "mkt1"):
        assert username in page.inner_text("body")
    shoot(page, "admin-users", size)
    assert_quiet(page)
