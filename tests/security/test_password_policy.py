"""One password policy wherever a password is set: the ``user`` command, FAB's add-user
screen, an admin resetting someone's password and a user resetting their own. The demo's
users are exempt."""

from __future__ import annotations

import re
import uuid

import pytest
from click.testing import CliRunner

from leadloom.access import password_problems
from leadloom.access.passwords import IS_USERNAME, ONE_KIND, TOO_COMMON, TOO_SHORT
from leadloom.cli.main import cli
from leadloom.records import RecordInvalid
from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import CONFIG, PASSWORD
from tests.helpers import chinese


@pytest.mark.parametrize(("password", "broken"), [
    ("1", (TOO_SHORT, ONE_KIND)),
    ("1234567890123", (ONE_KIND,)),
    ("abcdefghijkl", (ONE_KIND,)),
    ("!!!!!!!!!!!!", (ONE_KIND,)),
    ("abc-12", (TOO_SHORT,)),
    ("Password123", (TOO_COMMON,)),
    ("woaini1314", (TOO_COMMON,)),
    ("Sales.Lead.7", (IS_USERNAME,)),
    (PASSWORD, ()),
    ("correct horse battery", ()),
    ("销售线索管理2026", ()),
])
def test_the_rule(password, broken):
    assert password_problems(password, username="sales.lead.7") == broken


def test_every_message_names_its_rule_in_both_languages():
    assert "10" in chinese(TOO_SHORT) and "10" in TOO_SHORT
    for message in (TOO_SHORT, ONE_KIND, IS_USERNAME, TOO_COMMON):
        assert re.search(r"[\u4e00-\u9fff]", chinese(message)) and message.isascii()


@pytest.mark.slow
def test_the_user_command_refuses_a_weak_password(database_factory):
    url = database_factory()
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--database-url", url, "user",
                                      "weakling", "--role", "rep", "--password", "1"])

    assert result.exit_code == 1
    assert "password: 密码至少需要 10 个字符 / The password needs at least 10 characters" \
        in result.stderr
    assert "letters, digits, symbols" in result.stderr


def test_add_user_refuses_and_creates_nothing(app):
    with app.app_context():
        with pytest.raises(RecordInvalid) as refused:
            add_user("weakling", roles=["rep"], password="weakling", team="east-1")
        assert list(refused.value.errors) == ["password"]
        assert state().appbuilder.sm.find_user(username="weakling") is None


def test_demo_users_are_exempt(app):
    """``leadloom demo-data --password demo1234``: demo only."""
    username = f"demo-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        add_user(username, roles=["marketing"], password="demo1234", check_password=False)
        assert state().appbuilder.sm.auth_user_db(username, "demo1234") is not None


def admin_client(app):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert client.post("/login/", data={"username": "admin", "password": PASSWORD}
                       ).status_code == 302
    return client


def add_form(app, username: str, password: str) -> dict[str, str]:
    with app.app_context():
        role = state().appbuilder.sm.find_role("rep").id
    return {"first_name": "测试", "last_name": "用户", "username": username,
            "email": f"{username}@example.com", "roles": str(role), "active": "y",
            "password": password, "conf_password": password}


def test_the_add_user_screen_shows_the_rule_and_creates_nothing(app):
    admin = admin_client(app)
    username = f"screen-{uuid.uuid4().hex[:8]}"

    page = admin.post("/users/add", data=add_form(app, username, "12345678"))

    assert page.status_code == 200
    assert "密码至少需要 10 个字符；密码须包含字母、数字、符号中的至少两类" in page.text
    with app.app_context():
        assert state().appbuilder.sm.find_user(username=username) is None


def test_the_add_user_screen_takes_a_strong_password(app):
    admin = admin_client(app)
    username = f"screen-{uuid.uuid4().hex[:8]}"

    assert admin.post("/users/add", data=add_form(app, username, "Tea-garden-42")
                      ).status_code == 302
    with app.app_context():
        assert state().appbuilder.sm.auth_user_db(username, "Tea-garden-42") is not None


def test_an_admin_resetting_a_password_meets_the_rule(app):
    admin = admin_client(app)
    admin.get("/lang/en")
    with app.app_context():
        rep = state().appbuilder.sm.find_user(username="rep2").id

    page = admin.post(f"/resetpassword/form?pk={rep}",
                      data={"password": "rep2", "conf_password": "rep2"})

    assert page.status_code == 200
    assert ("The password needs at least 10 characters; The password must not be the username"
            in page.text)
    with app.app_context():
        assert state().appbuilder.sm.auth_user_db("rep2", PASSWORD) is not None


def test_resetting_ones_own_password_meets_the_rule(app):
    username = f"self-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        add_user(username, roles=["marketing"], password=PASSWORD)
    client = app.test_client()
    client.post("/login/", data={"username": username, "password": PASSWORD})

    form = client.get("/resetmypassword/form").text
    weak = client.post("/resetmypassword/form",
                       data={"password": "qwerty12345", "conf_password": "qwerty12345"})
    strong = client.post("/resetmypassword/form",
                         data={"password": "Spring-fair-88", "conf_password": "Spring-fair-88"})

    assert "至少 10 个字符，含字母、数字、符号中的至少两类" in form
    assert "does not check this for you" not in form
    assert weak.status_code == 200 and "密码过于常见，请换一个" in weak.text
    assert strong.status_code == 302
    with app.app_context():
        assert state().appbuilder.sm.auth_user_db(username, "Spring-fair-88") is not None
