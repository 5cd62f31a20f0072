"""Helpers for the screen tests: form login and leads made through the add form."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import ORG, PASSWORD

USERS = [username for username, *_ in ORG]


def login(app, username):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return client


@pytest.fixture(scope="session")
def ids(app):
    """Ids of the WEB source and of every demo user."""
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        sm = st.appbuilder.sm
        source = st.models.cls("source")
        web = st.db.session.query(source).filter_by(code="WEB").one().id
        return {"web": web, **{u: sm.find_user(username=u).id for u in USERS}}


def make_lead(app, ids, owner):
    """A lead owned by ``owner``, created by admin through the add form."""
    name = f"界面客户{uuid.uuid4().hex[:10]}"
    admin = login(app, "admin")
    response = admin.post("/lead/add", data={
        "customer_name": name, "industry": "manufacturing", "contact_name": "周经理",
        "contact_phone": "138 0013 8000", "source": str(ids["web"]),
        "need_description": "需要销售管理系统", "status": "new", "owner": str(ids[owner])})
    assert response.status_code == 302, response.data.decode()[:2000]
    from leadloom.web.state import state

    with app.app_context():
        cls = state().models.cls("lead")
        record = state().db.session.query(cls).filter_by(customer_name=name).one()
        assert record.contact_phone == "13800138000"
        return record.id, name


