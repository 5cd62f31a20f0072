"""The lead's page built for work: the header (number, customer, grade, owner, deadline,
stage path), the action bar, the inline follow-up (saved with its task, refusals shown as
typed) and moves made on the page (the screen's channel, a success message)."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import sqlalchemy as sa

from tests.e2e.conftest import login, make_lead


def _lead(app, pk):
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        record = st.db.session.get(st.models.cls("lead"), pk)
        st.db.session.refresh(record)
        return {c: getattr(record, c) for c in ("lead_no", "stage", "version", "owner_id",
                                                "first_touch_due_at", "lost_reason")}


def _page(client, pk) -> str:
    return html.unescape(client.get(f"/lead/show/{pk}").data.decode())


def test_the_header_says_what_the_lead_is_and_what_is_next(app, ids):
    pk, name = make_lead(app, ids, "rep1")
    lead = _lead(app, pk)
    page = _page(login(app, "rep1"), pk)
    head = page[page.index('class="ll-head"'):page.index('class="ll-actions"')]
    assert lead["lead_no"] in head and name in head
    assert "线索分级" in head and "负责人" in head
    assert re.search(r'data-sla="first_touch:pending">待首次联系 · 截止 \d\d-\d\d \d\d:\d\d<',
                     head)  # the SLA's state, not the bare deadline
    assert "线索获取" in head and 'class="current' in head  # the path, current stage marked
    assert "推进到 需求挖掘" in head  # the next move, one click
    assert "尚需填写: 线索分级" in head and 'name="grade"' not in head  # set by supervisors
    assert 'href="tel:13800138000"' in page
    system = page[page.index(">系统信息<"):]
    assert "创建时间" in system and re.search(r"<td>20\d\d-\d\d-\d\d \d\d:\d\d</td>", system)
    bar = page[page.index('class="ll-actions"'):page.index('class="ll-record-fields"')]
    for label in ("记录跟进", "新建任务", "推进/移动", "标记流失", "编辑"):
        assert label in bar, label
    assert "转移" not in bar  # a rep may not change the owner
    assert "转移" in _page(login(app, "sup1"), pk)


def test_finance_reads_without_the_work_actions(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    page = _page(login(app, "fin1"), pk)
    assert 'class="ll-head"' in page
    for label in ("记录跟进", "推进/移动", "转移"):
        assert label not in page, label


def test_a_follow_up_logged_inline_makes_its_task_and_stays_on_the_lead(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    summary = f"电话沟通 {uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)  # Asia/Shanghai
    due = (now + dt.timedelta(days=3)).strftime("%Y-%m-%d")
    answer = client.post(f"/lead/followup/{pk}", data={
        "occurred_at": (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "method": "phone", "customer_feedback": "interested", "summary": summary,
        "next_action": "发送方案", "next_action_due": due})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/lead/show/{pk}")
    page = _page(client, pk)
    assert "跟进已记录" in page and summary in page
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        task = st.models.cls("task")
        titles = st.db.session.scalars(sa.select(task.title).where(task.lead_id == pk)).all()
    assert any("发送方案" in t for t in titles), titles


def test_a_refused_follow_up_keeps_what_was_typed(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    answer = client.post(f"/lead/followup/{pk}", data={
        "occurred_at": "2020-01-01T09:30", "method": "phone", "customer_feedback": "interested",
        "summary": "太早的跟进", "next_action_due": "2020-01-03"})
    assert answer.status_code == 200
    page = html.unescape(answer.data.decode())
    form = page[page.index('id="ll-log"'):]
    assert "collapse in" in page[page.index('id="ll-log"') - 200:page.index('id="ll-log"') + 80]
    assert 'value="2020-01-01T09:30"' in form and "太早的跟进" in form
    assert 'value="2020-01-03"' in form
    error = re.search(r'll-field-error">([^<]+)<', form).group(1)
    assert re.search(r"[\u4e00-\u9fff]", error) and "ago" not in error, error
    assert "太早的跟进" not in _page(client, pk).split('id="ll-log"')[0]  # nothing saved


def test_a_move_on_the_page_is_a_screen_move_with_a_message(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, "sup1")
    version = _lead(app, pk)["version"]
    answer = client.post(f"/lead/move/{pk}", data={"to": "lost", "version": version,
                                                   "lost_reason": "budget"})
    assert answer.status_code == 302
    assert _lead(app, pk)["stage"] == "lost"
    page = _page(client, pk)
    assert "已移动到 输单" in page or "已移动到" in page
    from leadloom.web.state import state
    from leadloom.workflow.history import timeline

    with app.app_context():
        st = state()
        with app.test_request_context():
            actor = _actor(app, "sup1")
            events = timeline(st.db.session, st.models, actor, "lead", pk)
    moves = [e for e in events if e.kind == "move"]
    assert moves and moves[0].channel == "ui", [(e.kind, e.channel) for e in events]


def test_a_refused_move_says_why_in_chinese_and_changes_nothing(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    before = _lead(app, pk)
    answer = client.post(f"/lead/move/{pk}", data={"to": "lost", "version": before["version"]})
    assert answer.status_code == 302
    after = _lead(app, pk)
    assert after["stage"] == before["stage"] and after["version"] == before["version"]
    page = _page(client, pk)
    alert = re.search(r'alert-danger[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "未转化原因" in alert, alert


def _actor(app, username):
    from leadloom.access import Actor
    from leadloom.records import membership
    from leadloom.web.state import state

    st = state()
    user = st.appbuilder.sm.find_user(username=username)
    place = membership(st.db.session, st.models, user.id)
    return Actor(user.id, user.username, tuple(r.name for r in user.roles), team=place.team,
                 unit=place.unit)


def test_a_supervisor_transfers_the_lead_and_a_rep_may_not(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    version = _lead(app, pk)["version"]
    rep = login(app, "rep1")
    rep.post(f"/lead/transfer/{pk}", data={"owner": ids["rep2"], "version": version})
    assert _lead(app, pk)["owner_id"] == ids["rep1"]
    assert "alert-danger" in _page(rep, pk)
    sup = login(app, "sup1")
    answer = sup.post(f"/lead/transfer/{pk}", data={"owner": ids["rep2"], "version": version})
    assert answer.status_code == 302 and _lead(app, pk)["owner_id"] == ids["rep2"]
    assert "已转移" in _page(sup, pk)


def test_every_entity_gets_the_page_and_english_reads_english(app, ids, api):
    pk, _ = make_lead(app, ids, "rep1")
    admin = login(app, "admin")
    shown = []
    for entity in ("account", "contact", "contract", "followup", "task", "source"):
        found = api("admin", "get", f"/api/v1/{entity}/").get_json()["ids"]
        if found:
            page = admin.get(f"/{entity}/show/{found[0]}")
            assert page.status_code == 200 and b'class="ll-head"' in page.data, entity
            shown.append(entity)
    assert "task" in shown and "source" in shown, shown
    english = login(app, "rep1")
    english.get("/lang/en")
    page = _page(english, pk)
    assert "Log follow-up" in page and "Move to" in page and "记录跟进" not in page
