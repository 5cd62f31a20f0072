"""Reference and user fields search as one types (``GET /api/v1/lookup/<entity>``): over
the caller's whole scope, never beyond it, and not only the 500 newest records."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from tests.conftest import PASSWORD, org_app
from tests.e2e.conftest import login, make_lead


@pytest.fixture(scope="module")
def app(database_factory):
    """Its own app: the 600 leads made here would change other tests' counts."""
    yield from org_app(database_factory())


@pytest.fixture(scope="module")
def ids(app):
    with app.app_context():
        sm = state().appbuilder.sm
        source = state().models.cls("source")
        web = state().db.session.query(source).filter_by(code="WEB").one().id
        return {"web": web, **{u: sm.find_user(username=u).id
                               for u in ("admin", "rep1", "rep2", "rep3", "sup1", "sup2")}}


def labels(client, url):
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return [r["label"] for r in answer.json["results"]]


def test_a_rep_finds_their_team_scope_only(app, ids):
    _, west = make_lead(app, ids, "rep3")
    _, own = make_lead(app, ids, "rep1")
    rep1, rep3, sup2 = (login(app, u) for u in ("rep1", "rep3", "sup2"))
    assert labels(rep3, f"/api/v1/lookup/lead?q={west[-6:]}") == [west]
    assert labels(sup2, f"/api/v1/lookup/lead?q={west[-6:]}") == [west]
    assert labels(rep1, f"/api/v1/lookup/lead?q={west[-6:]}") == []
    assert labels(rep1, f"/api/v1/lookup/lead?q={own[-6:]}") == [own]
    assert west not in labels(rep1, "/api/v1/lookup/lead?limit=50")


def test_a_record_older_than_the_500_newest_is_found(app, ids):
    pk, old = make_lead(app, ids, "rep1")
    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        st.db.session.execute(sa.insert(lead.__table__), [
            {"customer_name": f"后来的客户{i:03d}", "owner_id": ids["rep1"], "unit": "east"}
            for i in range(600)])
        st.db.session.commit()
        newer = st.db.session.scalar(sa.select(sa.func.count()).where(lead.id > pk))
    assert newer >= 600
    answer = login(app, "rep1").get(f"/api/v1/lookup/lead?q={old[-8:]}").json
    assert answer["results"] == [{"id": pk, "label": old}]


def test_the_search_ignores_like_wildcards(app, ids):
    make_lead(app, ids, "rep1")
    assert labels(login(app, "rep1"), "/api/v1/lookup/lead?q=%25%25") == []


def test_users_are_found_by_login_and_named_family_name_first(app, ids):
    with app.app_context():
        user = state().db.session.get(state().appbuilder.sm.user_model, ids["rep2"])
        user.first_name, user.last_name = "小明", "孙"
        state().db.session.commit()
    client = login(app, "rep1")
    assert labels(client, "/api/v1/lookup/_users?q=rep2") == ["孙小明 (rep2)"]
    assert labels(client, "/api/v1/lookup/_users?q=孙小") == ["孙小明 (rep2)"]


def test_a_role_that_may_not_read_the_entity_is_refused(app):
    answer = login(app, "fin1").get("/api/v1/lookup/task")
    assert answer.status_code == 403
    assert answer.json["message"] == "你的角色不能查看这些记录"


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/v1/lookup/nothing", 404, "没有这种记录类型：nothing"),
    ("/api/v1/lookup/lead?limit=0", 422, "应为 1 到 50 的整数"),
    ("/api/v1/lookup/lead?limit=x", 422, "应为 1 到 50 的整数"),
])
def test_bad_arguments_answer_in_chinese(app, url, status, message):
    answer = login(app, "rep1").get(url)
    assert answer.status_code == status
    assert message in str(answer.json)


def test_the_form_field_searches_the_lookup_and_keeps_the_id(app, ids):
    pk, name = make_lead(app, ids, "rep1")
    page = login(app, "rep1").get(f"/followup/add?lead={pk}").text
    assert 'data-url="/api/v1/lookup/lead"' in page
    assert f'<input type="hidden" id="lead" name="lead" value="{pk}">' in page
    assert f'id="lead-text" value="{name}"' in page


def test_the_lookup_and_money_in_yuan_are_in_the_openapi_document(app):
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "rep1", "password": PASSWORD, "provider": "db"}).json["access_token"]
    document = client.get("/api/v1/_openapi", headers={"Authorization": f"Bearer {token}"}).json
    operation = document["paths"]["/api/v1/lookup/{entity}"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"entity", "q", "limit"}
    assert "LookupAnswer" in document["components"]["schemas"]
    schemas = document["components"]["schemas"]
    assert "万" in schemas["LeadRecord"]["properties"]["expected_amount"]["description"]
    assert "in yuan" in schemas["LeadCreate"]["properties"]["budget_min"]["description"]


def test_a_nul_in_the_text_is_not_searched_for(app, ids):
    _, name = make_lead(app, ids, "rep1")
    assert labels(login(app, "rep1"), f"/api/v1/lookup/lead?q={name[-6:-3]}%00{name[-3:]}"
                  ) == [name]
