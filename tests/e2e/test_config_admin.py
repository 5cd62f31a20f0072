"""Admin screens for the config: editor with problems on their lines, plan, publish, rollback."""

from __future__ import annotations

import pytest

from leadloom import lifecycle
from leadloom.web.users import add_user
from tests.conftest import CONFIG, build_app

REMARK = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"


@pytest.fixture(scope="module")
def admin_app(database_factory):
    app = build_app(CONFIG, database_factory())
    with app.app_context():
        add_user("boss", roles=["admin"], password="boss-pass-1")
        add_user("seller", roles=["rep"], password="seller-pass-1", team="east-1")
    yield app
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


def login(app, username, password):
    client = app.test_client()
    assert client.post("/login/", data={"username": username,
                                        "password": password}).status_code == 302
    return client


def versions(app):
    with app.app_context(), app.extensions["leadloom"].db.engine.connect() as conn:
        return [v.number for v in lifecycle.history(conn)]


def test_only_admins_reach_the_config_screens(admin_app):
    rep = login(admin_app, "seller", "seller-pass-1")
    for url in ("/config/versions/", "/config/edit/"):
        assert rep.get(url).status_code in (302, 403)
    admin = login(admin_app, "boss", "boss-pass-1")
    page = admin.get("/config/versions/").data.decode()
    assert "first version" in page


def test_edit_check_preview_publish_and_roll_back(admin_app):
    admin = login(admin_app, "boss", "boss-pass-1")
    lead = (CONFIG / "entities" / "lead.yaml").read_text(encoding="utf-8")
    broken = lead.replace(REMARK, REMARK + "  wechat: {type: strng, zh: 微信, en: WeChat}\n")
    line = broken.splitlines().index("  wechat: {type: strng, zh: 微信, en: WeChat}") + 1
    page = admin.post("/config/edit/", data={"file": "entities/lead.yaml", "text": broken,
                                             "action": "validate"}).data.decode()
    assert f"entities/lead.yaml:{line}: entities.lead.fields.wechat.type: unknown type" in page
    assert 'class="bad"><td class="n">' + str(line) in page
    fixed = broken.replace("type: strng", "type: string")
    page = admin.post("/config/edit/", data={"file": "entities/lead.yaml", "text": fixed,
                                             "action": "preview"}).data.decode()
    assert "add column lead.wechat VARCHAR(255)" in page
    assert versions(admin_app) == [1]
    done = admin.post("/config/edit/", data={"file": "entities/lead.yaml", "text": fixed,
                                             "action": "publish", "message": "微信号"})
    assert done.status_code == 302 and versions(admin_app) == [2, 1]
    detail = admin.get("/config/versions/2").data.decode()
    assert "+  wechat: {type: string, zh: 微信, en: WeChat}" in detail and "微信号" in detail
    assert admin.post("/config/versions/1/rollback").status_code == 302
    assert versions(admin_app) == [3, 2, 1]
    assert "keep column lead.wechat" in admin.get("/config/versions/3").data.decode()


def test_admin_sets_a_users_team_and_unit(admin_app):
    from leadloom.records import membership

    admin = login(admin_app, "boss", "boss-pass-1")
    with admin_app.app_context():
        st = admin_app.extensions["leadloom"]
        seller = st.appbuilder.sm.find_user(username="seller").id
    assert "seller" in admin.get("/members/").data.decode()
    admin.post("/members/", data={"user_id": seller, "team": "west-1", "unit": ""})
    with admin_app.app_context():
        place = membership(st.db.session, st.models, seller)
        assert (place.team, place.unit) == ("west-1", "west")
    admin.post("/members/", data={"user_id": seller, "team": "", "unit": "east"})
    with admin_app.app_context():
        st.db.session.expire_all()
        place = membership(st.db.session, st.models, seller)
        assert (place.team, place.unit) == (None, "east")
    rep = login(admin_app, "seller", "seller-pass-1")
    assert rep.get("/members/").status_code in (302, 403)
