"""保护至 over REST: the owner's supervisor sets and clears it (audited, filterable), the
rep who owns the lead and marketing may not, and the field is in the list answer."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from prison import dumps

from leadloom.web.state import state


@pytest.fixture(scope="module")
def lead(app, tokens):
    client = app.test_client()
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    sources = client.get("/api/v1/source/", headers=auth).get_json()["result"]
    with app.app_context():
        rep1 = state().appbuilder.sm.find_user(username="rep1").id
    response = client.post("/api/v1/lead/", headers=auth, json={
        "customer_name": f"保护客户{uuid.uuid4().hex[:8]}", "industry": "manufacturing",
        "contact_name": "吴经理", "source": next(s["id"] for s in sources if s["code"] == "WEB"),
        "need_description": "需要CRM", "owner": rep1})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.mark.parametrize("user", ["rep1", "mkt1"])
def test_neither_the_rep_nor_marketing_may_protect(api, lead, user):
    refused = api(user, "put", f"/api/v1/lead/{lead}", json={"protected_until": "2027-01-31"})
    expected = 422 if user == "rep1" else 403
    assert refused.status_code == expected, refused.get_json()
    if user == "rep1":
        assert refused.get_json()["errors"] == {"protected_until": ["您的角色不能修改此字段"]}


def test_the_supervisor_protects_and_the_change_is_audited(app, api, lead):
    done = api("sup1", "put", f"/api/v1/lead/{lead}", json={"protected_until": "2027-01-31"})
    assert done.status_code == 200, done.get_json()
    shown = api("rep1", "get", f"/api/v1/lead/{lead}").get_json()["result"]
    assert shown["protected_until"] == "2027-01-31"
    query = dumps({"filters": [{"col": "protected_until", "opr": "gt", "value": "2027-01-01"}]})
    listed = api("sup1", "get", f"/api/v1/lead/?q={query}").get_json()
    assert lead in listed.get("ids", []), listed
    assert {r["protected_until"] for r in listed["result"]} >= {"2027-01-31"}
    with app.app_context():
        st = state()
        audit = st.models.metadata.tables["ll_audit"]
        rows = st.db.session.execute(sa.select(audit.c.actor, audit.c.changes).where(
            audit.c.entity == "lead", audit.c.record_id == lead,
            audit.c.action == "update")).all()
    assert [r.actor for r in rows if "protected_until" in str(r.changes)] == ["sup1"]
    cleared = api("sup1", "put", f"/api/v1/lead/{lead}", json={"protected_until": None})
    assert cleared.status_code == 200, cleared.get_json()
    assert api("rep1", "get", f"/api/v1/lead/{lead}").get_json()["result"][
        "protected_until"] is None
