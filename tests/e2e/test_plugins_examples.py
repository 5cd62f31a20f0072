"""The shipped example plugins in a running app: the region field (validated on the write
path, shown as 省 / 市 / 区, its picker's choices), phone_carrier in a screening rule, and
the top_sources_won section in a rendered PDF."""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from leadloom.demo import generate_demo
from leadloom.settings import Settings
from leadloom.web import create_app
from tests.pdf_checks import page_text, require_poppler
from tests.plugins_configs import EXAMPLES, SHIPPED, plugin_config, write_plugin

PASSWORD = "demo1234"
#: where the screenshots go to be looked at (``LEADLOOM_SHOTS_DIR``, else the temp folder)
SHOTS = Path(os.environ.get("LEADLOOM_SHOTS_DIR") or tempfile.gettempdir()) / "plugins"


#: a plugin of the test's own: every final approval decision leaves a source row behind
APPROVAL_LOG = """name: approval_log
version: "1"
provides: {record_hooks: [approval_log]}
""", '''
from leadloom.plugins import hookimpl
from leadloom.records import create


@hookimpl
def leadloom_approval_decided(ctx, approval, approved):
    create(ctx, "source", {"code": f"A{approval.id}",
                           "name": "approved" if approved else "rejected"})
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory, database_factory):
    with pytest.MonkeyPatch.context() as patch:
        root = tmp_path_factory.mktemp("plugins_site")
        write_plugin(root / "own", "approval_log", *APPROVAL_LOG)
        patch.setenv("LEADLOOM_PLUGINS_DIR", os.pathsep.join((str(SHIPPED), str(root / "own"))))
        config = plugin_config(root, [*EXAMPLES, "approval_log"],
                               {"region_cn": {"require_county": True}})
        settings = Settings(config_dir=config, database_url=database_factory(),
                            secret_key="x" * 48, reports_dir=root / "archive")
        app = create_app(settings, testing=True)
        with app.app_context():
            generate_demo(app, leads=120, seed=7, password=PASSWORD)
        yield app


@pytest.fixture(scope="module")
def call(site):
    tokens = {}

    def call(user, method, url, **kwargs):
        client = site.test_client()
        if user not in tokens:
            tokens[user] = client.post("/api/v1/security/login", json={
                "username": user, "password": PASSWORD, "provider": "db"}).get_json()[
                "access_token"]
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def account(region):
    return {"name": f"地区测试{region}", "industry": "manufacturing", "region": region}


def test_a_region_code_is_stored_and_shown_as_province_city_district(site, call):
    created = call("sup1", "post", "/api/v1/account/", json=account("510107"))
    assert created.status_code == 201, created.get_json()
    pk = created.get_json()["id"]
    assert call("sup1", "get", f"/api/v1/account/{pk}").get_json()["result"]["region"] == \
        "510107"
    client = site.test_client()
    client.post("/login/", data={"username": "sup1", "password": PASSWORD})
    page = client.get(f"/account/show/{pk}").get_data(as_text=True)
    assert "四川省 / 成都市 / 武侯区" in page


@pytest.mark.parametrize(("region", "zh", "en"), [
    ("999999", "不是全国行政区划代码表中的代码", "not a code of the national administrative "
                                          "division list"),
    ("510000", "请选到区/县一级", "pick the district or county too"),
])
def test_a_region_outside_the_list_is_refused_on_the_write_path(call, region, zh, en):
    for language, text in (("zh", zh), ("en", en)):
        refused = call("sup1", "post", "/api/v1/account/", json=account(region),
                       headers={"Accept-Language": language})
        assert refused.status_code == 422
        assert refused.get_json()["errors"]["region"] == [text]


def test_the_picker_asks_for_the_next_level(call):
    cities = call("rep1", "get", "/api/v1/lookup/_type/region?parent=510000").get_json()
    assert {"code": "510100", "label": "成都市"} in cities["results"]
    provinces = call("rep1", "get", "/api/v1/lookup/_type/region").get_json()["results"]
    assert len(provinces) == 34 and provinces[0] == {"code": "110000", "label": "北京市"}
    assert call("rep1", "get", "/api/v1/lookup/_type/colour").status_code == 404


def test_a_final_approval_decision_reaches_the_plugin_in_its_transaction(call):
    pk = call("rep1", "post", "/api/v1/lead/", json=lead_body(call, "审批插件测试公司")
              ).get_json()["id"]
    asked = call("rep1", "put", f"/api/v1/lead/{pk}", json={"discount_pct": "8"}).get_json()
    decided = call("sup1", "post", f"/api/v1/approvals/{asked['approval_id']}/approve",
                   json={})
    assert decided.status_code == 200, decided.get_json()
    sources = call("admin", "get", "/api/v1/source/?q=(page_size:100)").get_json()["result"]
    assert {"code": f"A{asked['approval_id']}", "name": "approved"} in [
        {"code": r["code"], "name": r["name"]} for r in sources]


def lead_body(call, name, **extra):
    sources = call("admin", "get", "/api/v1/source/?q=(page_size:100)").get_json()["result"]
    return {"customer_name": name, "industry": "trade", "contact_name": "冯经理",
            "source": next(r["id"] for r in sources if r["code"] == "WEB"),
            "need_description": "CRM", "budget_status": "unclear", "need_clarity": "vague",
            **extra}


def test_phone_carrier_flags_a_broadnet_number_in_the_screening_rule(call):
    broadnet = call("rep1", "post", "/api/v1/lead/", json=lead_body(
        call, "广电号段测试公司", contact_phone="19212345678")).get_json()["result"]
    mobile = call("rep1", "post", "/api/v1/lead/", json=lead_body(
        call, "移动号段测试公司", contact_phone="13812345679")).get_json()["result"]
    assert "broadnet_number" in broadnet["screening_flags"]
    assert "broadnet_number" not in (mobile["screening_flags"] or [])


def busiest_month(call):
    """The month in which the demo signed the most contracts (``2025-11``)."""
    rows = call("admin", "get", "/api/v1/contract/?q=(page_size:100)").get_json()["result"]
    months = Counter(r["sign_date"][:7] for r in rows if r["sign_date"])
    return months.most_common(1)[0][0]


def test_the_top_sources_section_renders_in_the_pdf(call, tmp_path):
    require_poppler()
    run = call("admin", "post", "/api/v1/reports/plugin_sources/run",
               json={"period": busiest_month(call)})
    assert run.status_code == 202, run.get_json()
    state = call("admin", "get", run.get_json()["state_url"]).get_json()
    for _ in range(300):
        if state["state"] in ("finished", "failed"):
            break
        time.sleep(0.2)
        state = call("admin", "get", run.get_json()["state_url"]).get_json()
    assert state["state"] == "finished", state
    pdf = tmp_path / "top_sources.pdf"
    pdf.write_bytes(call("admin", "get", state["pdf_url"]).get_data())
    text = page_text(pdf)
    assert "成交金额前 10 的来源渠道" in text and "合计" in text
    assert "本期没有签约合同" not in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "top_sources_won.pdf").write_bytes(pdf.read_bytes())
