"""The audit trail: every write through the write path records who, when, the channel, the
config version and each changed field's old and new value; it is append-only, and the
record page shows it as a timeline (without fields the reader may not see)."""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

import leadloom
from leadloom.access import Actor
from leadloom.model.workflow import AppendOnly, workflow_classes
from leadloom.records import Context, bulk_create, membership
from leadloom.web.state import state
from tests.e2e.conftest import login

PACKAGE = Path(leadloom.__file__).parent
BASE = {"industry": "trade", "contact_name": "郑经理", "need_description": "CRM"}


def source_id(api):
    rows = api("admin", "get", "/api/v1/source/").get_json()["result"]
    return next(r["id"] for r in rows if r["code"] == "WEB")


def entries(app, entity, pk):
    with app.app_context():
        st = state()
        audit = workflow_classes(st.models.metadata).audit
        return st.db.session.scalars(sa.select(audit).where(
            audit.entity == entity, audit.record_id == pk).order_by(audit.id)).all()


def test_every_channel_is_recorded_with_old_and_new_values(app, api):
    source = source_id(api)
    name = f"审计客户{uuid.uuid4().hex[:8]}"
    created = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": name, "source": source, "contact_phone": "13900002222", **BASE})
    pk = created.get_json()["id"]
    version = app.extensions["leadloom"].registry.version
    assert api("rep1", "put", f"/api/v1/lead/{pk}", json={
        "city": "苏州", "_comment": "客户搬迁"}).status_code == 200
    first, second = entries(app, "lead", pk)[:2]
    assert (first.action, first.channel, first.actor) == ("create", "api", "rep1")
    assert first.changes["customer_name"] == [None, name]
    assert first.config_version == version and first.actor_id is not None
    assert (second.action, second.channel, second.comment) == ("update", "api", "客户搬迁")
    assert second.changes["city"] == [None, "苏州"]
    assert "customer_name" not in second.changes  # only what changed
    record = api("rep1", "get", f"/api/v1/lead/{pk}").get_json()["result"]
    form = {k: v for k, v in record.items() if k in ("customer_name", "industry", "contact_name",
                                                      "need_description", "status", "stage")}
    page = login(app, "rep1").post(f"/lead/edit/{pk}", data={
        **form, "source": str(source), "city": "无锡", "contact_phone": "13900002222"})
    assert page.status_code == 302, page.data.decode()[:500]
    last = entries(app, "lead", pk)[-1]
    assert last.channel == "ui" and last.changes["city"] == ["苏州", "无锡"]


def test_imports_and_deletes_are_recorded(app, api):
    source = source_id(api)
    with app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username="sup1")
        place = membership(st.db.session, st.models, user.id)
        ctx = Context(Actor(user.id, "sup1", ("supervisor",), team=place.team, unit=place.unit),
                      st.db.session, st.models, channel="import")
        pk, = bulk_create(ctx, "lead", [{"customer_name": f"导入客户{uuid.uuid4().hex[:8]}",
                                         "source": source, **BASE}])
    made = entries(app, "lead", pk)
    assert [(e.action, e.channel, e.actor) for e in made] == [("create", "import", "sup1")]
    account = api("admin", "post", "/api/v1/account/", json={
        "name": f"删除客户{uuid.uuid4().hex[:8]}", "industry": "trade"}).get_json()["id"]
    assert api("admin", "delete", f"/api/v1/account/{account}").status_code == 200
    gone = entries(app, "account", account)[-1]
    assert gone.action == "delete" and gone.changes["industry"] == ["trade", None]


def test_the_timeline_hides_what_the_reader_may_not_see(app, api):
    source = source_id(api)
    pk = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": f"隐私客户{uuid.uuid4().hex[:8]}", "source": source,
        "contact_phone": "13900003333", **BASE}).get_json()["id"]
    mine = api("rep1", "get", f"/api/v1/lead/{pk}/timeline").get_json()["result"]
    assert any("contact_phone" in e["changes"] for e in mine)
    finance = api("fin1", "get", f"/api/v1/lead/{pk}/timeline").get_json()["result"]
    assert finance and not any("contact_phone" in e["changes"] for e in finance)
    assert api("rep3", "get", f"/api/v1/lead/{pk}/timeline").status_code == 404
    page = login(app, "rep1").get(f"/lead/show/{pk}").data.decode()
    assert "变更记录" in page and "13900003333" in page


def test_no_update_or_delete_path_exists_for_the_trail(app, api):
    """Append-only: no route writes the trail, no code updates or deletes its rows, and
    the mapped classes refuse it."""
    for rule in app.url_map.iter_rules():
        if "timeline" in rule.rule or "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    trail = re.compile(r"\baudit\b|\.stage\b|AuditEntry|StageEntry|AUDIT_TABLE|STAGE_TABLE|"
                       r"ll_audit|ll_stage_history")
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("update", "delete", "merge"):
                text = ast.unparse(node)
                assert not trail.search(text), f"{path.relative_to(PACKAGE)}:{node.lineno}: {text}"
    source = source_id(api)
    pk = api("rep1", "post", "/api/v1/lead/", json={
        "customer_name": f"审计客户{uuid.uuid4().hex[:8]}", "source": source, **BASE}
             ).get_json()["id"]
    with app.app_context():
        st = state()
        classes = workflow_classes(st.models.metadata)
        for cls in (classes.audit, classes.stage):
            row = st.db.session.scalars(sa.select(cls).where(cls.record_id == pk)).first()
            row.comment = "tampered"
            with pytest.raises(AppendOnly):
                st.db.session.flush()
            st.db.session.rollback()
            row = st.db.session.scalars(sa.select(cls).where(cls.record_id == pk)).first()
            st.db.session.delete(row)
            with pytest.raises(AppendOnly):
                st.db.session.flush()
            st.db.session.rollback()
