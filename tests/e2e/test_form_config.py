"""Record forms follow the config: defaults of every type filled in, a red * on required
fields, system fields and fields the role may not change shown as text, money entered and
shown in 万 where the field says so."""

from __future__ import annotations

import re
import shutil
import uuid
from decimal import Decimal

import pytest
import yaml

from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import CONFIG, PASSWORD, build_app
from tests.e2e.conftest import login, make_lead

#: a default for every type that takes one (new fields, or on the lead's own), and what the
#: add form's input then holds
DEFAULTS = {
    "city": ({"default": "上海"}, "上海"),
    "headcount": ({"type": "integer", "zh": "人数", "en": "Headcount", "default": 12}, "12"),
    "discount_pct": ({"default": 5}, "5.0000"),
    "expected_amount": ({"default": 150000}, "15"),
    "budget_min": ({"default": 80000}, "80000"),
    "expected_close_date": ({"default": "2026-12-31"}, "2026-12-31"),
    "visit_at": ({"type": "datetime", "zh": "拜访时间", "en": "Visit at",
                  "default": "2026-12-01T01:30:00"}, "2026-12-01T09:30"),
    "contact_email": ({"default": "sales@example.com"}, "sales@example.com"),
    "contact_phone": ({"default": "13800138000"}, "13800138000"),
}
CHANNELS = {"type": "multi_enum", "zh": "渠道", "en": "Channels", "default": ["wechat"],
            "options": [{"code": "phone", "zh": "电话", "en": "Phone"},
                        {"code": "wechat", "zh": "微信", "en": "WeChat"}]}


@pytest.fixture(scope="module")
def defaults_app(tmp_path_factory, database_factory):
    """The default CRM with a default on a lead field of every type, and its admin."""
    folder = tmp_path_factory.mktemp("config") / "defaults"
    shutil.copytree(CONFIG, folder)
    path = folder / "entities" / "lead.yaml"
    entity = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = entity["fields"]
    for code, (spec, _) in DEFAULTS.items():
        fields.setdefault(code, {}).update(spec)
    fields["remark"]["default"] = "首次沟通"
    fields["is_decision_maker"]["default"] = True
    fields["industry"]["default"] = "trade"
    fields["channels"] = CHANNELS
    path.write_text(yaml.safe_dump(entity, allow_unicode=True), encoding="utf-8")
    flask_app = build_app(folder, database_factory())
    with flask_app.app_context():
        add_user("admin", roles=["admin"], password=PASSWORD)
    yield flask_app
    with flask_app.app_context():
        flask_app.extensions["leadloom"].db.engine.dispose()


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_the_add_form_starts_with_every_default_of_the_config(defaults_app):
    page = login(defaults_app, "admin").get("/lead/add").text
    for code, (_, shown) in DEFAULTS.items():
        assert input_value(page, code) == shown, code
    assert re.search(r'<textarea[^>]*name="remark"[^>]*>\s*首次沟通</textarea>', page)
    assert re.search(r'<input[^>]*checked[^>]*name="is_decision_maker"', page)
    assert input_select(page, "industry") == "trade"
    assert input_select(page, "channels") == "wechat"
    assert input_select(page, "status") == "new"


def test_the_default_status_saves_without_being_touched(app, ids):
    client = login(app, "rep1")
    page = client.get("/lead/add").text
    assert '<option selected value="new">' in page
    name = f"默认状态{uuid.uuid4().hex[:8]}"
    response = client.post("/lead/add", data={
        "customer_name": name, "industry": "manufacturing", "contact_name": "周经理",
        "source": str(ids["web"]), "need_description": "需要销售管理系统", "status": "new"})
    assert response.status_code == 302, response.text[:2000]


def labels_marked(page: str) -> set[str]:
    """The ``for`` of every label followed by the red *."""
    return set(re.findall(r'<label for="(\w+)" control-label>\s*[^<]*?\s*'
                          r'<strong style="color: red">', page))


def test_required_fields_carry_a_red_mark_and_no_browser_check(app):
    page = login(app, "rep1").get("/lead/add").text
    marked = labels_marked(page)
    assert {"customer_name", "industry", "source", "contact_name", "need_description",
            "status"} <= marked
    assert not marked & {"city", "remark", "expected_amount", "contact_phone"}
    assert not re.search(r"<(input|select|textarea)[^>]*\brequired\b", page)


def test_system_fields_and_read_only_fields_show_as_text(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    with app.app_context():
        number = state().db.session.get(state().models.cls("lead"), lead_id).lead_no
    page = login(app, "rep1").get(f"/lead/edit/{lead_id}").text
    for code in ("lead_no", "owner", "grade", "created_at", "updated_at", "assigned_at"):
        assert re.search(rf'<p class="form-control-static ll-readonly" id="{code}">', page), code
        assert not re.search(rf'<(input|select|textarea)[^>]*name="{code}"', page), code
    assert f'id="lead_no">{number}</p>' in page
    assert 'id="owner">rep1 (rep1)</p>' in page
    # the supervisor may change the owner: a search box, not text
    page = login(app, "sup1").get(f"/lead/edit/{lead_id}").text
    assert input_value(page, "owner") == str(ids["rep1"])


def test_the_add_form_leaves_out_read_only_fields_with_nothing_to_show(app):
    page = login(app, "rep1").get("/lead/add").text
    assert 'id="lead_no"' not in page and 'id="created_at"' not in page
    assert 'name="customer_name"' in page


def test_a_posted_read_only_field_changes_nothing(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), lead_id)
        number, version = record.lead_no, record.version
    page = client.get(f"/lead/edit/{lead_id}").text
    data = {"customer_name": f"改名{uuid.uuid4().hex[:6]}", "industry": "manufacturing",
            "contact_name": "周经理", "source": str(ids["web"]),
            "need_description": "需要销售管理系统", "status": input_select(page, "status"),
            "lead_no": "HACK-1", "owner": str(ids["rep2"]), "version": str(version)}
    assert client.post(f"/lead/edit/{lead_id}", data=data).status_code == 302
    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), lead_id)
        assert (record.lead_no, record.owner_id) == (number, ids["rep1"])


def input_select(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(1))
    return chosen.group(1) if chosen else ""


def test_money_in_wan_round_trips(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    page = client.get(f"/lead/edit/{lead_id}").text
    assert re.search(r'name="expected_amount"[^>]*>\s*<span class="input-group-addon">万', page)
    with app.app_context():
        version = state().db.session.get(state().models.cls("lead"), lead_id).version
    data = {"customer_name": f"万元{uuid.uuid4().hex[:6]}", "industry": "manufacturing",
            "contact_name": "周经理", "source": str(ids["web"]),
            "need_description": "需要销售管理系统", "status": input_select(page, "status"),
            "expected_amount": "15", "budget_min": "80000", "version": str(version)}
    response = client.post(f"/lead/edit/{lead_id}", data=data)
    assert response.status_code == 302, response.text[:2000]
    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), lead_id)
        assert record.expected_amount == Decimal("150000.00")
        assert record.budget_min == Decimal("80000.00")  # a 元 field stays in 元
    assert input_value(client.get(f"/lead/edit/{lead_id}").text, "expected_amount") == "15"
    shown = client.get(f"/lead/show/{lead_id}").text
    assert "15 万" in shown and "¥80,000.00" in shown
    listed = client.get(f"/lead/list/?_flt_0_customer_name={data['customer_name']}").text
    assert "15 万" in listed
    answer = client.get(f"/api/v1/lead/{lead_id}").json
    assert Decimal(str(answer["result"]["expected_amount"])) == Decimal("150000.00")


def test_a_fraction_of_wan_keeps_its_yuan(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    page = client.get(f"/lead/edit/{lead_id}").text
    with app.app_context():
        version = state().db.session.get(state().models.cls("lead"), lead_id).version
    data = {"customer_name": f"万元{uuid.uuid4().hex[:6]}", "industry": "manufacturing",
            "contact_name": "周经理", "source": str(ids["web"]),
            "need_description": "需要销售管理系统", "status": input_select(page, "status"),
            "expected_amount": "12.3456", "version": str(version)}
    assert client.post(f"/lead/edit/{lead_id}", data=data).status_code == 302
    with app.app_context():
        record = state().db.session.get(state().models.cls("lead"), lead_id)
        assert record.expected_amount == Decimal("123456.00")
    assert "12.3456 万" in client.get(f"/lead/show/{lead_id}").text


def test_a_bad_amount_is_refused_in_chinese(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    page = client.get(f"/lead/edit/{lead_id}").text
    data = {"customer_name": "坏金额", "status": input_select(page, "status"),
            "expected_amount": "十五"}
    answer = client.post(f"/lead/edit/{lead_id}", data=data)
    assert answer.status_code == 200
    assert "不是有效的小数" in answer.text
    assert input_value(answer.text, "expected_amount") == "十五"


def test_in_english_the_wan_field_says_so(app, ids):
    lead_id, _ = make_lead(app, ids, "rep1")
    with app.app_context():
        st = state()
        record = st.db.session.get(st.models.cls("lead"), lead_id)
        record.expected_amount = Decimal("150000.00")
        st.db.session.commit()
    client = login(app, "rep1")
    client.get("/")
    client.get("/lang/en")
    assert "15 × 10k CNY" in client.get(f"/lead/show/{lead_id}").text
    form = client.get(f"/lead/edit/{lead_id}").text
    assert re.search(r'name="expected_amount"[^>]*value="15"[^>]*>\s*'
                     r'<span class="input-group-addon">10k CNY', form)
    assert 'placeholder="type to search"' in form
