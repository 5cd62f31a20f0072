"""我的待办 (/tasks/mine/): open tasks grouped into overdue, today (Asia/Shanghai) and the
next 7 days at a frozen clock; a rep sees their own, a supervisor can switch to the team's;
完成 marks a task done through the write path (audited) with a CSRF-protected form."""

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
from leadloom.records import Context, create
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


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("leadloom.web.tasks.utcnow", lambda: NOW)


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


def test_the_daily_digest_links_here(site):
    with site.app_context():
        st = state()
        daily_digest(Context(Actor.system_actor(), st.db.session, st.models, channel="job"), NOW)
        rep1 = st.appbuilder.sm.find_user(username="rep1").id
        digest = next(m for m in inbox(st.db.session, st.models, rep1) if m.kind == "digest")
    assert digest.title.startswith("今日待办") and digest.link == "/tasks/mine/"
    opened = login(site, "rep1").get(f"/notifications/open/{digest.id}")
    assert opened.status_code == 302 and opened.location.endswith("/tasks/mine/")
