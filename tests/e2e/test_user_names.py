"""The user screens take one 姓名, family name first, and names read in Chinese order."""

from __future__ import annotations

import re
import uuid

from leadloom.web.state import state
from tests.e2e.conftest import login


def role_id(app, code):
    with app.app_context():
        return str(state().appbuilder.sm.find_role(code).id)


def test_the_admin_adds_a_user_with_one_name_field(app):
    admin = login(app, "admin")
    form = admin.get("/users/add").text
    assert 'name="first_name"' in form and 'name="last_name"' not in form
    assert re.search(r'<label for="first_name" control-label>\s*姓名', form)
    username = f"sun-{uuid.uuid4().hex[:6]}"
    response = admin.post("/users/add", data={
        "first_name": "孙小明", "username": username, "email": f"{username}@example.com",
        "roles": role_id(app, "rep"), "active": "y", "password": "Tea-garden-42",
        "conf_password": "Tea-garden-42"})
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        user = state().appbuilder.sm.find_user(username=username)
        assert (user.first_name, user.last_name) == ("孙小明", "")
        assert user.get_full_name().strip() == "孙小明"
        assert state().appbuilder.sm.auth_user_db(username, "Tea-garden-42") is not None


def test_a_name_split_before_is_offered_whole_in_chinese_order(app):
    username = f"li-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        sm = state().appbuilder.sm
        user = sm.add_user(username, "小红", "李", f"{username}@example.com",
                           [sm.find_role("rep")], "Tea-garden-42")
        pk = user.id
    admin = login(app, "admin")
    form = admin.get(f"/users/edit/{pk}").text
    assert re.search(r'name="first_name"[^>]*value="李小红"|value="李小红"[^>]*name="first_name"',
                     form)
    response = admin.post(f"/users/edit/{pk}", data={
        "first_name": "李小红", "username": username, "email": f"{username}@example.com",
        "roles": role_id(app, "rep"), "active": "y"})
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        user = state().appbuilder.sm.find_user(username=username)
        assert (user.first_name, user.last_name) == ("李小红", "")


def test_a_user_edits_their_own_name_whole(app):
    client = login(app, "admin")
    form = client.get("/userinfoeditview/form").text
    assert 'name="first_name"' in form and 'name="last_name"' not in form
    assert re.search(r'<label for="first_name" control-label>\s*姓名', form)
    try:
        assert client.post("/userinfoeditview/form", data={"first_name": "赵四"}
                           ).status_code == 302
        with app.app_context():
            user = state().appbuilder.sm.find_user(username="admin")
            assert (user.first_name, user.last_name) == ("赵四", "")
    finally:
        client.post("/userinfoeditview/form", data={"first_name": "admin"})
