"""The import wizard's routes (web/import_pages.py) through the Flask test client: each
step's refusals say what is wrong in the user's language and store nothing, a run is its
starter's, who may not create gets a 403, and a post without the CSRF token is refused."""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator

import openpyxl
import pytest
from flask import Flask

from leadloom.access import Actor
from leadloom.imports import ImportOptions, create_run
from leadloom.records import Context
from leadloom.web.csrf import REFUSED
from tests.conftest import org_app
from tests.e2e.conftest import login
from tests.helpers import chinese
from tests.security.test_csrf_walk import build_csrf_app, form_login, page_token

HEADERS = ["客户名称", "所属行业", "来源渠道", "联系人姓名", "核心需求描述"]


@pytest.fixture(scope="module")
def app(database_factory) -> Iterator[Flask]:
    """The default CRM and its demo organisation, on a database of this module's own."""
    yield from org_app(database_factory())


def csv_file(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    lines = [",".join(headers), *(",".join(row) for row in rows)]
    return "\n".join(lines).encode("utf-8")


def expo_rows(count: int) -> list[list[str]]:
    tag = uuid.uuid4().hex[:8]
    return [[f"展会客户{tag}{i}", "制造业", "WEB", f"联系人{i}", "展会上留的需求"]
            for i in range(count)]


def lead_count(app: Flask) -> int:
    with app.app_context():
        st = app.extensions["leadloom"]
        return st.db.session.query(st.models.cls("lead")).count()


def upload(client, data: bytes, name: str = "expo.csv", **choices: str):
    form = {"on_duplicate": "skip", **choices}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post("/lead/import", data=form, content_type="multipart/form-data")


def map_all(client, headers: list[str] = HEADERS, **extra: str):
    """Step 2 as suggested: read the page's preselected fields and post them."""
    page = client.get("/lead/import/map").data.decode()
    form = {f"col-{i}": selected(page, i) for i in range(len(headers))}
    return client.post("/lead/import/map", data={**form, **extra})


def selected(page: str, index: int) -> str:
    """The option preselected in the select ``col-<index>`` of a page."""
    start = page.index(f'name="col-{index}"')
    block = page[start:page.index("</select>", start)]
    marker = block.find(" selected>")
    if marker < 0:
        return ""
    return block[block.rfind('value="', 0, marker) + 7:block.rfind('"', 0, marker)]


def test_no_file_and_a_file_of_another_kind_are_refused_in_chinese(app):
    mkt = login(app, "mkt1")
    before = lead_count(app)
    answer = upload(mkt, None)
    assert answer.status_code == 400
    assert "请选择要导入的 CSV 或 XLSX 文件" in answer.data.decode()
    answer = upload(mkt, b"just some words", name="notes.txt")
    assert answer.status_code == 400
    assert 'id="ll-problems"' in answer.data.decode()
    assert "CSV" in answer.data.decode()
    answer = upload(mkt, csv_file(expo_rows(1)), on_duplicate="overwrite")
    assert answer.status_code == 400
    assert "请从给出的选项中选择" in answer.data.decode()
    assert mkt.get("/lead/import/map").status_code == 302  # nothing held
    assert lead_count(app) == before


def test_an_unmapped_required_field_is_shown_next_to_the_form(app):
    mkt = login(app, "mkt1")
    assert upload(mkt, csv_file(expo_rows(3))).headers["Location"].endswith("/lead/import/map")
    form = {"col-0": "customer_name", "col-1": "industry", "col-2": "source", "col-3": "",
            "col-4": "need_description"}
    answer = mkt.post("/lead/import/map", data=form)
    page = answer.data.decode()
    assert answer.status_code == 400
    assert "必填字段“联系人姓名”没有对应的列" in page
    assert 'value="need_description" selected' in page  # the choices made are kept
    twice = mkt.post("/lead/import/map", data={**form, "col-3": "customer_name"})
    assert twice.status_code == 400
    assert "“客户名称”被选给了不止一列" in twice.data.decode()
    assert mkt.get("/lead/import/preview").status_code == 302  # no mapping taken yet


def test_a_user_who_may_not_create_gets_a_403(app):
    finance = login(app, "fin1")
    for url in ("/lead/import", "/lead/import/map", "/lead/import/preview"):
        answer = finance.get(url)
        assert answer.status_code == 403, url
        assert "不能导入" in answer.data.decode()
    assert finance.post("/lead/import/start").status_code == 403
    assert 'id="ll-import-link"' not in finance.get("/lead/list/").data.decode()
    assert 'id="ll-import-link"' in login(app, "mkt1").get("/lead/list/").data.decode()


def test_the_whole_way_and_another_users_run_is_a_404(app):
    mkt = login(app, "mkt1")
    rows = expo_rows(4)
    rows.append(["", "制造业", "WEB", "无名", "缺客户名称"])
    assert upload(mkt, csv_file(rows)).status_code == 302
    assert map_all(mkt).headers["Location"].endswith("/lead/import/preview")
    preview = mkt.get("/lead/import/preview").data.decode()
    outcomes = re.findall(r'<tr data-row="\d+" data-outcome="(\w+)"', preview)
    assert sorted(outcomes) == ["created"] * 4 + ["refused"]
    before = lead_count(app)
    started = mkt.post("/lead/import/start")
    run_url = started.headers["Location"]
    assert "/lead/import/runs/" in run_url
    state = mkt.get(f"{run_url}/state").get_json()
    assert state["total"] == 5
    run_id = int(run_url.rsplit("/", 1)[1])
    _wait_ended(mkt, run_url)
    page = mkt.get(run_url).data.decode()
    assert '<tr data-outcome="created"><td>已创建</td><td class="ll-count">4</td>' in page
    assert '<tr data-outcome="refused"><td>已拒绝</td><td class="ll-count">1</td>' in page
    assert lead_count(app) == before + 4
    errors = mkt.get(f"{run_url}/errors")
    assert errors.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(errors.data)).active
    assert sheet.max_row == 2  # the header and the refused row
    assert mkt.get("/lead/import/map").status_code == 302  # the upload was let go
    assert login(app, "rep1").get(run_url).status_code == 404
    assert login(app, "rep1").get(f"{run_url}/errors").status_code == 404
    assert login(app, "admin").get(run_url).status_code == 200
    assert mkt.get(f"/source/import/runs/{run_id}").status_code == 404


def _wait_ended(client, run_url: str) -> None:
    for _ in range(200):
        if client.get(f"{run_url}/state").get_json()["ended"]:
            return
        time.sleep(0.1)
    raise AssertionError("the import did not end in 20 s")


def test_a_post_without_the_csrf_token_is_refused(database_factory):
    app = build_csrf_app(database_factory())
    try:
        admin = form_login(app)
        answer = admin.post("/lead/import", data={
            "file": (io.BytesIO(csv_file(expo_rows(1))), "expo.csv")},
            content_type="multipart/form-data")
        assert answer.status_code == 400
        assert chinese(REFUSED) in answer.data.decode()
        token = page_token(admin, "/lead/import")
        answer = admin.post("/lead/import", data={
            "csrf_token": token, "file": (io.BytesIO(csv_file(expo_rows(1))), "expo.csv")},
            content_type="multipart/form-data")
        assert answer.status_code == 302
    finally:
        with app.app_context():
            app.extensions["leadloom"].db.engine.dispose()


def test_the_menu_page_lists_what_i_may_import_and_my_own_runs(app):
    with app.app_context():
        st = app.extensions["leadloom"]
        user = st.appbuilder.sm.find_user(username="mkt1")
        ctx = Context(Actor(user.id, "mkt1", ("marketing",)), st.db.session, st.models,
                      channel="import")
        mapping = dict(zip(HEADERS, ["customer_name", "industry", "source", "contact_name",
                                     "need_description"], strict=True))
        run_id = create_run(ctx, "lead", "菜单里的名单.csv", csv_file(expo_rows(2)), mapping,
                            ImportOptions())
    page = login(app, "mkt1").get("/import/").data.decode()
    assert 'href="/lead/import" data-entity="lead"' in page
    assert 'data-entity="contract"' not in page
    assert f'<a href="/lead/import/runs/{run_id}">菜单里的名单.csv</a>' in page
    assert "等待开始" in page
    assert f'data-run="{run_id}"' not in login(app, "rep1").get("/import/").data.decode()
    assert f'data-run="{run_id}"' in login(app, "admin").get("/import/").data.decode()
    finance = login(app, "fin1").get("/import/").data.decode()
    assert 'data-entity="absence"' in finance and 'data-entity="lead"' not in finance


def test_a_saved_mapping_is_offered_and_preselects_the_columns(app):
    mkt = login(app, "mkt1")
    headers = ["公司", "行当", "渠道", "谁", "要什么"]
    assert upload(mkt, csv_file(expo_rows(2), headers)).status_code == 302
    page = mkt.get("/lead/import/map").data.decode()
    assert all(selected(page, i) == "" for i in range(len(headers)))  # names it cannot know
    form = {"col-0": "customer_name", "col-1": "industry", "col-2": "source",
            "col-3": "contact_name", "col-4": "need_description", "save_as": "展会名单"}
    assert mkt.post("/lead/import/map", data=form).status_code == 302
    step1 = mkt.get("/lead/import").data.decode()
    chosen = re.search(r'<option value="(saved:\d+)">展会名单</option>', step1).group(1)
    assert upload(mkt, csv_file(expo_rows(2), headers), preset=chosen).status_code == 302
    page = mkt.get("/lead/import/map").data.decode()
    assert [selected(page, i) for i in range(len(headers))] == [
        form[f"col-{i}"] for i in range(len(headers))]
    assert 'class="label label-danger"' not in page  # every required field has a column
