"""The same role matrix through the HTML screens (form login, list, show, add, edit, delete)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, make_lead
from tests.e2e.test_rest_roles import DELETE_REP1, SEES, UPDATE_REP1


@pytest.fixture(scope="module")
def leads(app, ids):
    return {owner: make_lead(app, ids, owner) for owner in ("rep1", "rep3")}


@pytest.mark.parametrize("user", sorted(SEES))
def test_list_and_show_follow_row_scope(app, leads, user):
    client = login(app, user)
    page = client.get("/lead/list/?psize_LeadView=100").data.decode()
    for owner, (pk, name) in leads.items():
        shown = client.get(f"/lead/show/{pk}")
        if owner in SEES[user]:
            assert name in page
            assert shown.status_code == 200 and name in shown.data.decode()
        else:
            assert name not in page
            assert shown.status_code == 404


@pytest.mark.parametrize(("user", "status"), sorted(UPDATE_REP1.items()))
def test_edit_form_follows_operation_and_scope(app, ids, user, status):
    pk, name = make_lead(app, ids, "rep1")
    client = login(app, user)
    response = client.post(f"/lead/edit/{pk}", data={
        "customer_name": name, "industry": "trade", "contact_name": "周经理",
        "source": str(ids["web"]), "need_description": "改了需求", "status": "new"})
    expected = {200: 302, 403: 403, 404: 404}[status]
    assert response.status_code == expected
    from leadloom.web.state import state

    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), pk)
        state().db.session.refresh(record)
        assert (record.industry == "trade") is (status == 200)


@pytest.mark.parametrize(("user", "status"), sorted(DELETE_REP1.items()))
def test_delete_follows_operation_and_scope(app, ids, user, status):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, user)
    client.get(f"/lead/delete/{pk}")
    from leadloom.web.state import state

    with app.app_context():
        gone = state().db.session.get(state().models.cls("lead"), pk) is None
    assert gone is (status == 200)


def test_add_form_reports_every_invalid_field(app, ids):
    client = login(app, "rep1")
    response = client.post("/lead/add", data={
        "customer_name": "", "industry": "", "contact_phone": "12345", "source": str(ids["web"]),
        "need_description": ""})
    page = response.data.decode()
    assert response.status_code == 200
    assert page.count("必填") >= 3  # the session's language: Chinese by default
    assert "不是有效的电话号码" in page


def test_rep_form_hides_read_only_fields_and_cannot_post_them(app, ids, leads):
    pk, name = leads["rep1"]
    client = login(app, "rep1")
    form = client.get(f"/lead/edit/{pk}").data.decode()
    assert 'name="customer_name"' in form
    assert 'name="grade"' not in form and 'name="owner"' not in form
    client.post(f"/lead/edit/{pk}", data={
        "customer_name": name, "industry": "manufacturing", "contact_name": "周经理",
        "source": str(ids["web"]), "need_description": "需要销售管理系统", "status": "new",
        "grade": "A", "owner": str(ids["rep2"])})
    from leadloom.web.state import state

    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), pk)
        state().db.session.refresh(record)
        assert record.grade is None and record.owner_id == ids["rep1"]


def test_finance_does_not_see_hidden_columns(app, ids):
    client = login(app, "fin1")
    pk, _ = make_lead(app, ids, "rep1")
    page = client.get(f"/lead/show/{pk}").data.decode()
    assert "13800138000" not in page
    assert "13800138000" in login(app, "rep1").get(f"/lead/show/{pk}").data.decode()


def test_stale_edit_is_refused(app, ids):
    pk, name = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    data = {"customer_name": name, "industry": "trade", "contact_name": "周经理",
            "source": str(ids["web"]), "need_description": "x", "status": "new", "version": "1"}
    assert client.post(f"/lead/edit/{pk}", data=data).status_code == 302
    again = client.post(f"/lead/edit/{pk}", data={**data, "industry": "finance"})
    assert again.status_code == 200
    assert "该记录已被他人修改" in again.data.decode()


def test_english_labels_on_request(app):
    """rep1's list follows the east unit's view: its overlay renames the customer name."""
    client = login(app, "rep1")
    assert "企业全称" in client.get("/lead/list/").data.decode()
    client.get("/lang/en")
    assert "Company name" in client.get("/lead/list/").data.decode()
