"""Pages name people, not logins: the approvals inbox names the requester, the record's
history names who changed it and shows the platform's own writes as 系统; forms are titled
新建线索 / 编辑线索 and the home page is today's."""

from __future__ import annotations

import contextlib

from flask_appbuilder.security.sqla.models import User

from leadloom.access import Actor
from leadloom.records import Context, create
from leadloom.web.state import state
from tests.e2e.conftest import login
from tests.e2e.test_approvals import add_lead


@contextlib.contextmanager
def named(app, username: str, last: str, first: str):
    """``username`` called ``last first`` for the test's length."""
    with app.app_context():
        session = state().db.session
        user = session.query(User).filter_by(username=username).one()
        saved = (user.first_name, user.last_name)
        user.first_name, user.last_name = first, last
        session.commit()
    try:
        yield
    finally:
        with app.app_context():
            session = state().db.session
            user = session.query(User).filter_by(username=username).one()
            user.first_name, user.last_name = saved
            session.commit()


def test_the_inbox_and_the_history_name_people(app, api):
    with named(app, "rep2", "张", "伟"):
        pk = add_lead(api, "rep2")
        asked = api("rep2", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "8"})
        assert asked.get_json()["approval_id"]
        inbox = login(app, "sup1").get("/approvals/").data.decode()
        assert "张伟" in inbox
        history = login(app, "sup1").get(f"/lead/show/{pk}").data.decode()
        assert "张伟<span" in history and "rep2<span" not in history


def test_the_platform_writes_as_the_system(app, ids):
    with app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        source = st.models.cls("source")
        web = st.db.session.query(source).filter_by(code="WEB").one().id
        lead = create(ctx, "lead", {"customer_name": "系统写入客户", "industry": "trade",
                                    "contact_name": "钱经理", "source": web,
                                    "need_description": "CRM", "owner": ids["rep1"]})
        pk = lead.id
    page = login(app, "rep1").get(f"/lead/show/{pk}").data.decode()
    assert "系统<span" in page and "system<span" not in page


def test_forms_and_home_are_titled_for_what_they_do(app, ids):
    admin = login(app, "admin")
    assert "新建线索" in admin.get("/lead/add").data.decode()
    home = login(app, "rep1").get("/").data.decode()
    assert "今天" in home and 'id="ll-today"' in home


def test_the_user_list_reads_in_words(app):
    page = login(app, "admin").get("/users/list/?psize_UserView=100").data.decode()
    assert "销售代表" in page and "[rep]" not in page
    assert ">是<" in page.replace(" ", "").replace("\n", "") and ">True<" not in page
