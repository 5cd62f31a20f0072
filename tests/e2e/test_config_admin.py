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
    assert "初始版本" in page


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
    page = rep.get("/members/").data.decode()  # their own time away, no teams
    assert 'data-user="seller"' in page and 'data-user="boss"' not in page
    assert 'name="team"' not in page
    rep.post("/members/", data={"user_id": seller, "team": "east-1", "unit": ""})
    with admin_app.app_context():
        st.db.session.expire_all()
        assert membership(st.db.session, st.models, seller).team is None


def edit(client, name, text, action="validate", **extra):
    return client.post("/config/edit/", data={"file": name, "text": text, "action": action,
                                              **extra})


def problem_on(page, line, message):
    """``message`` is shown under line ``line`` of the file, and the line is marked."""
    marked = f'class="bad"><td class="n">{line}</td>'
    return marked in page and message in page.split(marked, 1)[1].split('<td class="n">', 2)[1]


@pytest.mark.parametrize("name", ["entities/lead.yaml", "roles.yaml", "funnels/sales.yaml"])
def test_yaml_syntax_error_is_shown_on_its_line_and_blocks_publish(admin_app, name):
    admin = login(admin_app, "boss", "boss-pass-1")
    text = (CONFIG / name).read_text(encoding="utf-8")
    broken = text + "broken: a: b\n"
    line = len(text.splitlines()) + 1
    message = "YAML syntax error: mapping values are not allowed here (column 10)"
    try:
        answer = edit(admin, name, broken)
        assert answer.status_code == 200
        assert problem_on(answer.data.decode(), line, message)
        again = admin.get(f"/config/edit/?file={name}")  # the draft stays editable
        assert again.status_code == 200 and problem_on(again.data.decode(), line, message)
        before = versions(admin_app)
        refused = edit(admin, name, broken, action="publish", message="broken")
        assert refused.status_code == 200 and problem_on(refused.data.decode(), line, message)
        assert versions(admin_app) == before
        assert edit(admin, "entities/lead.yaml", (CONFIG / "entities/lead.yaml").read_text(
            encoding="utf-8"), action="preview").status_code == 200  # other files still open
    finally:
        admin.post("/config/edit/discard")
    assert "配置有效" in admin.get("/config/edit/").data.decode()


def test_file_level_breaks_never_answer_500(admin_app):
    admin = login(admin_app, "boss", "boss-pass-1")
    try:
        for text, message in (("", "the file is empty: fill it in or delete it"),
                              ("- a\n- b\n", "not a list or a value"),
                              ("entity: lead\n\tzh: 线索\n", "a tab character"),
                              ("entity: lead\nzh: x\x00y\n", "character U+0000 is not allowed"),
                              ("entity: lead\nentity: lead\n", "duplicate key &#39;entity&#39;"),
                              ("x: " + "[" * 3000 + "\n", "nested more than 100 levels")):
            answer = edit(admin, "entities/lead.yaml", text)
            assert answer.status_code == 200, text[:20]
            assert message in answer.data.decode(), text[:20]
    finally:
        admin.post("/config/edit/discard")


def test_a_refused_schema_change_is_shown_on_its_line(admin_app):
    admin = login(admin_app, "boss", "boss-pass-1")
    lead = (CONFIG / "entities" / "lead.yaml").read_text(encoding="utf-8")
    changed = lead.replace("  remark: {type: text,", "  remark: {type: integer,")
    line = changed.splitlines().index(
        "  remark: {type: integer, zh: 备注, en: Remarks, section: need}") + 1
    try:
        page = edit(admin, "entities/lead.yaml", changed).data.decode()
        assert problem_on(page, line, "entities.lead.fields.remark.type: text → integer: add "
                                      "&#39;convert: {map: {old: new}}&#39;")
        before = versions(admin_app)
        edit(admin, "entities/lead.yaml", changed, action="publish")
        assert versions(admin_app) == before
    finally:
        admin.post("/config/edit/discard")
