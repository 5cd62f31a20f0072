"""我的待办 (/tasks/mine/): open tasks grouped into overdue, today (Asia/Shanghai) and the
next 7 days at a frozen clock, with tabs and counts; a rep sees their own, a supervisor can
switch to the team's; 完成 marks a task done through the write path (audited) with a
CSRF-protected form or in place as JSON, a lost race answering 409 with why. The calendar
(/tasks/calendar/) puts tasks on their due day and follow-ups on theirs, week and month, in
the reader's scope; a supervisor picks a rep of their team."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from leadloom.access import Actor
from leadloom.model.workflow import workflow_classes
from leadloom.records import Context, create, update
from leadloom.records.leads.periodic import daily_digest
from leadloom.records.notify import inbox
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import CONFIG, ORG, PASSWORD, SECRET

#: 12:00 in Shanghai
NOW = dt.datetime(2030, 6, 15, 4, 0)
H, D = dt.timedelta(hours=1), dt.timedelta(days=1)
#: title → (assignee, due at (naive UTC), status)
TASKS = {
    "两天前的回访": ("rep1", NOW - 2 * D - H, "overdue"),
    "三小时前的电话": ("rep1", NOW - 3 * H, "todo"),
    "下午的报价": ("rep1", NOW + 5 * H, "todo"),
    "今晚的邮件": ("rep1", dt.datetime(2030, 6, 15, 15, 59), "todo"),  # 23:59 in Shanghai
    "明早的拜访": ("rep1", dt.datetime(2030, 6, 15, 16, 30), "todo"),  # 00:30 tomorrow there
    "六天后的演示": ("rep1", NOW + 6 * D, "todo"),
    "十天后的合同": ("rep1", NOW + 10 * D, "todo"),
    "已完成的任务": ("rep1", NOW - H, "done"),
    "同组的任务": ("rep2", NOW + H, "todo"),
    "别组的任务": ("rep3", NOW + H, "todo"),
}
#: summary → (who made it, when (naive UTC))
FOLLOWUPS = {
    "周五上午电话沟通": ("rep1", dt.datetime(2030, 6, 14, 2, 0)),  # Fri 06-14 10:00 there
    "上月的拜访": ("rep1", dt.datetime(2030, 5, 20, 6, 0)),
    "别组的跟进": ("rep3", dt.datetime(2030, 6, 14, 3, 0)),
}
TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
COUNT = re.compile(r'data-count="(\w+)">(\d+)<')


@pytest.fixture(scope="module")
def site(database_factory) -> Iterator[Flask]:
    """The demo organisation with CSRF on, one lead of rep1 and the tasks above."""
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory(),
                              secret_key=SECRET), testing=True, csrf=True)
    with app.app_context():
        for username, roles, team, unit in ORG:
            add_user(username, roles=roles, password=PASSWORD, team=team, unit=unit)
        _tasks()
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


def _tasks() -> None:
    st = state()
    ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
    users = {u: st.appbuilder.sm.find_user(username=u).id for u in ("rep1", "rep2", "rep3")}
    source = st.db.session.scalar(sa.select(st.models.cls("source").id).filter_by(code="WEB"))
    lead = create(ctx, "lead", {
        "customer_name": "待办客户", "industry": "trade", "contact_name": "周经理",
        "contact_phone": "13800138001", "source": source, "need_description": "CRM",
        "status": "new", "owner": users["rep1"]})
    task = st.models.cls("task").__table__
    st.db.session.execute(sa.delete(task))  # the lead's first-touch task: only ours count
    st.db.session.commit()
    for title, (user, due, status) in TASKS.items():
        create(ctx, "task", {"title": title, "assignee": users[user], "due_at": due,
                             "status": status, "lead": lead.id, "owner": users[user]})
    for summary, (user, at) in FOLLOWUPS.items():
        create(ctx, "followup", {"lead": lead.id, "occurred_at": at, "method": "phone",
                                 "customer_feedback": "interested", "summary": summary,
                                 "owner": users[user]})


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("leadloom.web.tasks.utcnow", lambda: NOW)
    monkeypatch.setattr("leadloom.web.calendar.utcnow", lambda: NOW)


def login(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    token = TOKEN.search(client.get("/login/").data.decode()).group(1)
    answer = client.post("/login/", data={"username": username, "password": PASSWORD,
                                          "csrf_token": token})
    assert answer.status_code == 302
    return client


def groups(html: str) -> dict[str, list[str]]:
    """Task titles per group, in page order."""
    found = {}
    for key, body in re.findall(r'data-group="(\w+)"(.*?)(?=data-group=|\Z)', html, re.S):
        found[key] = re.findall(r'href="/task/show/\d+">([^<]+)</a>', body)
    return found


def test_a_rep_sees_own_open_tasks_grouped_in_local_days(site):
    html = login(site, "rep1").get("/tasks/mine/").data.decode()
    assert groups(html) == {"overdue": ["两天前的回访", "三小时前的电话"],
                            "today": ["下午的报价", "今晚的邮件"],
                            "upcoming": ["明早的拜访", "六天后的演示"]}
    assert dict(COUNT.findall(html)) == {"overdue": "2", "today": "2", "upcoming": "2"}
    assert "逾期 2 天" in html and "逾期 3 小时" in html
    assert "06-15 17:00" in html and "06-16 00:30" in html  # due times in Shanghai
    assert "待办客户" in html and 'href="/lead/show/' in html
    assert "团队" not in html  # no switch for a rep
    assert groups(login(site, "rep1").get("/tasks/mine/?who=team").data.decode()) == groups(
        html)


def test_a_supervisor_switches_to_the_team_within_their_scope(site):
    client = login(site, "sup1")
    mine = client.get("/tasks/mine/").data.decode()
    assert dict(COUNT.findall(mine)) == {"overdue": "0", "today": "0", "upcoming": "0"}
    team = client.get("/tasks/mine/?who=team").data.decode()
    titles = [t for ts in groups(team).values() for t in ts]
    assert "同组的任务" in titles and "下午的报价" in titles
    assert "别组的任务" not in titles  # rep3 is in west-1
    assert dict(COUNT.findall(team))["today"] == "3"
    assert "rep2" in team  # whose task it is


def _task_id(title: str) -> tuple[int, int]:
    with state().db.session.no_autoflush:
        cls = state().models.cls("task")
        task = state().db.session.query(cls).filter_by(title=title).one()
        state().db.session.refresh(task)
        return task.id, task.version


def test_done_goes_through_the_write_path_and_leaves_an_audit_row(site):
    client = login(site, "rep1")
    page = client.get("/tasks/mine/").data.decode()
    with site.app_context():
        pk, version = _task_id("下午的报价")
    done = client.post(f"/tasks/mine/done/{pk}", data={
        "csrf_token": TOKEN.search(page).group(1), "version": str(version)})
    assert done.status_code == 302 and done.location.endswith("/tasks/mine/")
    after = client.get("/tasks/mine/").data.decode()
    assert "任务已完成：下午的报价" in after
    assert dict(COUNT.findall(after))["today"] == "1"
    assert "下午的报价" not in [t for ts in groups(after).values() for t in ts]
    with site.app_context():
        st = state()
        audit = workflow_classes(st.models.metadata).audit
        row = st.db.session.scalars(sa.select(audit).where(
            audit.entity == "task", audit.record_id == pk).order_by(audit.id.desc())).first()
        assert (row.action, row.channel, row.actor) == ("update", "ui", "rep1")
        assert row.changes["status"] == ["todo", "done"]


def test_a_rep_cannot_complete_another_reps_task(site):
    client = login(site, "rep1")
    token = TOKEN.search(client.get("/tasks/mine/").data.decode()).group(1)
    with site.app_context():
        pk, _ = _task_id("别组的任务")
    client.post(f"/tasks/mine/done/{pk}", data={"csrf_token": token})
    with site.app_context():
        cls = state().models.cls("task")
        assert state().db.session.get(cls, pk).status == "todo"


def test_done_without_the_csrf_token_is_refused(site):
    client = login(site, "rep1")
    with site.app_context():
        pk, version = _task_id("明早的拜访")
    refused = client.post(f"/tasks/mine/done/{pk}", data={"version": str(version)})
    assert refused.status_code == 400
    with site.app_context():
        assert state().db.session.get(state().models.cls("task"), pk).status == "todo"


def test_the_page_reads_in_english_when_switched(site):
    client = login(site, "rep1")
    client.get("/lang/en")
    html = client.get("/tasks/mine/").data.decode()
    for text in ("My tasks", "Overdue", "Today", "Upcoming (7 days)", "2 d overdue",
                 "3 h overdue", "</i> Done"):
        assert text in html, text
    assert "已逾期" not in html and "逾期 2 天" not in html
    calendar = client.get("/tasks/calendar/?view=month").data.decode()
    for text in ("Calendar", ">Mon<", ">Sun<", "Month", "Back to today", "Follow-up"):
        assert text in calendar, text
    assert "周一" not in calendar and "日程" not in calendar


def test_the_daily_digest_links_here(site):
    with site.app_context():
        st = state()
        daily_digest(Context(Actor.system_actor(), st.db.session, st.models, channel="job"), NOW)
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        digest = next(m for m in inbox(st.db.session, st.models, rep1) if m.kind == "digest")
    assert digest.title.startswith("今日待办") and digest.link == "/tasks/mine/"
    opened = login(site, "rep1").get(f"/notifications/open/{digest.id}")
    assert opened.status_code == 302 and opened.location.endswith("/tasks/mine/")


def test_the_tabs_carry_each_groups_count(site):
    html = login(site, "rep1").get("/tasks/mine/").data.decode()
    tabs = dict(re.findall(r'data-tab-count="(\w+)">(\d+)<', html))
    assert tabs == dict(COUNT.findall(html)) and set(tabs) == {"overdue", "today", "upcoming"}
    assert 'data-tab="all"' in html and 'href="/tasks/calendar/"' in html


def _json_done(client: FlaskClient, pk: int, version: int | None, token: str):
    return client.post(f"/tasks/mine/done/{pk}", json={"version": version},
                       headers={"X-CSRFToken": token})


def test_done_as_json_answers_in_place_and_a_lost_race_says_why(site):
    client = login(site, "rep1")
    token = TOKEN.search(client.get("/tasks/mine/").data.decode()).group(1)
    with site.app_context():
        pk, version = _task_id("今晚的邮件")
    done = _json_done(client, pk, version, token)
    assert done.status_code == 200 and done.json["message"] == "任务已完成：今晚的邮件"
    again = _json_done(client, pk, version, token)  # a second tab, loaded before
    assert again.status_code == 409 and again.json["message"] == "该任务已被他人标记完成"
    with site.app_context():
        pk, version = _task_id("六天后的演示")
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        update(ctx, "task", pk, {"notes": "改了"})
    changed = _json_done(client, pk, version, token)
    assert changed.status_code == 409 and "已被他人修改" in changed.json["message"]
    with site.app_context():
        assert state().db.session.get(state().models.cls("task"), pk).status == "todo"


def test_done_as_json_without_the_csrf_token_is_refused(site):
    client = login(site, "rep1")
    with site.app_context():
        pk, version = _task_id("明早的拜访")
    assert client.post(f"/tasks/mine/done/{pk}", json={"version": version}).status_code == 400
    with site.app_context():
        assert state().db.session.get(state().models.cls("task"), pk).status == "todo"


def days(html: str) -> dict[str, list[str]]:
    """Titles per shown day (tasks and follow-ups), in page order."""
    return {day: re.findall(r'class="ll-cal-title" href="/\w+/show/\d+">([^<]+)</a>', body)
            for day, body in re.findall(r'data-day="([\d-]+)"(.*?)(?=data-day=|\Z)', html,
                                        re.S)}


def test_the_week_shows_my_tasks_and_follow_ups_on_their_local_days(site):
    html = login(site, "rep1").get("/tasks/calendar/?view=week&date=2030-06-13").data.decode()
    shown = days(html)
    assert list(shown) == [f"2030-06-{d}" for d in range(10, 17)]  # Monday to Sunday
    assert "两天前的回访" in shown["2030-06-13"]
    assert "周五上午电话沟通" in shown["2030-06-14"]
    assert {"三小时前的电话", "已完成的任务"} <= set(shown["2030-06-15"])
    assert "明早的拜访" in shown["2030-06-16"]  # 00:30 on Sunday in Shanghai
    assert "六天后的演示" not in str(shown) and "同组的任务" not in str(shown)
    assert "别组的跟进" not in html and "上月的拜访" not in html
    assert "10:00" in html and "ll-cal-item ll-task ll-done" in html  # the done one
    assert 'href="/lead/show/' in html and "ll-today" in html  # 06-15 is today


def test_the_month_grid_holds_whole_weeks_and_a_bad_date_falls_back_to_today(site):
    client = login(site, "rep1")
    html = client.get("/tasks/calendar/?view=month&date=2030-05-01").data.decode()
    shown = days(html)
    assert next(iter(shown)) == "2030-04-29" and list(shown)[-1] == "2030-06-02"
    assert shown["2030-05-20"] == ["上月的拜访"]
    for date in ("2030-13-45", "9999-12-31", "0001-01-01"):
        bad = client.get(f"/tasks/calendar/?view=month&date={date}").data.decode()
        assert "日期格式应为 YYYY-MM-DD" in bad and "六天后的演示" in str(days(bad)), date


def test_a_supervisor_picks_a_rep_of_the_team_but_no_one_else(site):
    client = login(site, "sup1")
    with site.app_context():
        sm = state().appbuilder.sm
        rep1, rep3 = (sm.find_user(username=u).id for u in ("rep1", "rep3"))
    own = client.get("/tasks/calendar/?date=2030-06-15").data.decode()
    assert f'<option value="{rep1}"' in own and f'value="{rep3}"' not in own
    assert not any(days(own).values())  # sup1 has nothing of their own
    theirs = client.get(f"/tasks/calendar/?date=2030-06-15&who={rep1}").data.decode()
    assert "周五上午电话沟通" in theirs and "两天前的回访" in theirs
    other = client.get(f"/tasks/calendar/?date=2030-06-15&who={rep3}").data.decode()
    assert "不能查看此人的日程" in other and "别组的" not in other
    assert f'value="{rep1}"' not in login(site, "rep1").get("/tasks/calendar/").data.decode()
