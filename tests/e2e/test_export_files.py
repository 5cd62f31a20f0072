"""Lists out as files: exactly the rows and fields the reader may see, inert formulas,
audited, refused without the right, and the same rows from the screen, REST and the CLI.

The app runs a copy of the shipped config where reps and finance may export leads (the
shipped roles keep that from them) and an export holds at most ``LIMIT`` rows.
"""

from __future__ import annotations

import csv
import io
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote

import openpyxl
import prison
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from leadloom.cli.main import cli
from tests.conftest import CONFIG, SECRET, org_app
from tests.e2e.conftest import USERS, login, make_lead
from tests.helpers import replace_once

#: the most rows one export may hold in this app's config
LIMIT = 3
#: the columns asked for by name: the phone is hidden from finance
ASKED = "&columns=customer_name,contact_phone,owner"


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "config"
    shutil.copytree(CONFIG, folder)
    roles = folder / "roles.yaml"
    replace_once(roles, """      lead:
        operations: [list, read, create, update]
        scope: own""", """      lead:
        operations: [list, read, create, update, export]
        scope: own""")
    replace_once(roles, """      lead:
        operations: [list, read]
        scope: all""", """      lead:
        operations: [list, read, export]
        scope: all""")
    replace_once(folder / "app.yaml", "max_rows: 200000", f"max_rows: {LIMIT}")
    return folder


@pytest.fixture(scope="module")
def export_app(config_dir, database_factory):
    yield from org_app(database_factory(), config_dir=config_dir)


@pytest.fixture(scope="module")
def leads(export_app) -> dict[str, list[str]]:
    """Customer names of the leads made for each owner (one of rep1's reads as a formula)."""
    from leadloom.web.state import state

    with export_app.app_context():
        st = state()
        source = st.models.cls("source")
        web = st.db.session.query(source).filter_by(code="WEB").one().id
        found = {"web": web, **{u: st.appbuilder.sm.find_user(username=u).id for u in USERS}}
    made: dict[str, list[str]] = {}
    for owner in ("rep1", "rep2", "rep3"):
        made[owner] = [make_lead(export_app, found, owner)[1]]
    formula = f"=1+1{uuid.uuid4().hex[:6]}"
    admin = login(export_app, "admin")
    response = admin.post("/lead/add", data={
        "customer_name": formula, "industry": "manufacturing", "contact_name": "周经理",
        "contact_phone": "138 0013 8001", "source": str(web),
        "need_description": "-2+3 需要", "status": "new", "owner": str(found["rep1"])})
    assert response.status_code == 302, response.data.decode()[:2000]
    made["rep1"].append(formula)
    return made


def rows_of(data: bytes, fmt: str) -> list[list[str]]:
    """The file's lines as text (XLSX: after the watermark line)."""
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(data))
    lines = [["" if v is None else str(v) for v in row]
             for row in book.active.iter_rows(values_only=True)]
    assert lines[0][0].startswith("导出人 ")
    return lines[1:]


def names_in(lines: list[list[str]]) -> set[str]:
    """The customer names of the rows below the header (企业全称; 客户名称 in the west)."""
    at = next(i for i, head in enumerate(lines[0]) if head in ("企业全称", "客户名称"))
    return {line[at].removeprefix("'") for line in lines[1:]}


def rest_export(app, user: str, fmt: str = "xlsx", query: str = "") -> tuple[int, bytes]:
    client = login(app, user)
    response = client.get(f"/api/v1/lead/export?format={fmt}{query}")
    return response.status_code, response.data


def test_a_rep_exports_only_his_rows(export_app, leads):
    status, data = rest_export(export_app, "rep1")
    assert status == 200, data[:300]
    assert names_in(rows_of(data, "xlsx")) == set(leads["rep1"])
    status, data = rest_export(export_app, "rep3", "csv")
    assert names_in(rows_of(data, "csv")) == set(leads["rep3"])


def test_a_supervisor_exports_his_teams_rows(export_app, leads):
    status, data = rest_export(export_app, "sup1", "csv")
    assert status == 200, data[:300]
    assert names_in(rows_of(data, "csv")) == {*leads["rep1"], *leads["rep2"]}


def test_a_hidden_field_is_never_a_column(export_app, leads):
    only = "&customer_name=" + quote(leads["rep3"][0])
    status, data = rest_export(export_app, "fin1", "xlsx", "&columns=customer_name,owner" + only)
    assert status == 200, data[:300]
    header = rows_of(data, "xlsx")[0]
    assert header == ["客户名称", "负责人"]  # the base labels: finance has no unit
    status, data = rest_export(export_app, "fin1", "csv", ASKED + only)
    assert status == 400 and b"contact_phone" in data
    status, data = rest_export(export_app, "admin", "csv", ASKED + only)
    assert rows_of(data, "csv") == [["客户名称", "联系电话", "负责人"],
                                    [leads["rep3"][0], "13800138000", "rep3"]]


def test_a_formula_comes_out_inert(export_app, leads):
    formula = leads["rep1"][1]
    for fmt in ("xlsx", "csv"):
        status, data = rest_export(export_app, "rep1", fmt, "&customer_name=" + quote(formula))
        assert status == 200, data[:300]
        lines = rows_of(data, fmt)
        assert len(lines) == 2
        assert names_in(lines) == {formula} and f"'{formula}" in lines[1]
    _, data = rest_export(export_app, "rep1", "xlsx", "&customer_name=" + quote(formula))
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()
             for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)


def test_every_export_is_audited(export_app, leads):
    from leadloom.model.workflow import workflow_classes
    from leadloom.web.state import state

    status, _ = rest_export(export_app, "rep2", "csv")
    assert status == 200
    with export_app.app_context():
        audit = workflow_classes(state().models.metadata).audit
        row = state().db.session.scalars(sa.select(audit).where(
            audit.action == "export", audit.actor == "rep2").order_by(audit.id.desc())).first()
    assert row is not None and row.entity == "lead" and row.channel == "api"
    assert row.changes["rows"] == 1 and row.changes["format"] == "csv"
    assert "customer_name" in row.changes["columns"]


def test_without_the_right_an_export_is_refused(export_app, leads):
    client = login(export_app, "fin1")
    response = client.get("/api/v1/account/export?format=csv")
    assert response.status_code == 403
    page = client.get("/account/list/").data.decode()
    assert 'id="ll-export"' not in page
    assert 'id="ll-export"' in client.get("/lead/list/").data.decode()


def test_bad_input_is_a_clear_400(export_app, leads):
    client = login(export_app, "admin")
    for query in ("q=(((", "q=(filters:!((col:nope,opr:eq,value:1)))", "format=pdf",
                  "grade=Z"):
        response = client.get(f"/api/v1/lead/export?{query}")
        assert response.status_code == 400, (query, response.data[:300])
        assert response.get_json()["message"]


def test_more_rows_than_config_allows_are_refused(export_app, leads):
    status, data = rest_export(export_app, "admin", "xlsx")
    assert status == 400
    assert str(LIMIT) in data.decode()


def test_screen_rest_and_cli_give_the_same_rows(export_app, leads, config_dir, tmp_path):
    marker = "界面客户"
    client = login(export_app, "sup1")
    screen = client.get(f"/lead/list/export?format=csv&customer_name={quote(marker)}")
    assert screen.status_code == 200, screen.data[:300]
    assert "filename*=UTF-8''%E7%BA%BF%E7%B4%A2_" in screen.headers["Content-Disposition"]
    status, rest = rest_export(export_app, "sup1", "csv", f"&customer_name={quote(marker)}")
    assert status == 200, rest[:300]
    out = tmp_path / "线索.csv"
    result = CliRunner(env={"LEADLOOM_SECRET_KEY": SECRET}).invoke(cli, [
        "--config", str(config_dir), "--database-url",
        export_app.config["LEADLOOM_SETTINGS"].database_url, "export", "lead", str(out), "--as",
        "sup1", "--q", prison.dumps({"filters": [
            {"col": "customer_name", "opr": "ct", "value": marker}]})])
    assert result.exit_code == 0, result.output
    assert "2 row(s)" in result.output
    expected = {leads["rep1"][0], leads["rep2"][0]}
    assert names_in(rows_of(screen.data, "csv")) == expected
    assert rows_of(rest, "csv") == rows_of(screen.data, "csv") == rows_of(out.read_bytes(),
                                                                          "csv")


def test_the_openapi_document_offers_only_visible_columns(export_app, leads):
    client = login(export_app, "fin1")
    paths = client.get("/api/v1/_openapi").get_json()["paths"]
    parameters = {p["name"]: p for p in paths["/api/v1/lead/export"]["get"]["parameters"]}
    assert parameters["format"]["schema"]["enum"] == ["xlsx", "csv"]
    pattern = parameters["columns"]["schema"]["pattern"]
    assert "customer_name" in pattern and "contact_phone" not in pattern
    assert "contact_phone" not in parameters  # nor a filter by it


def test_the_cli_says_what_is_wrong(export_app, config_dir, tmp_path):
    runner = CliRunner(env={"LEADLOOM_SECRET_KEY": SECRET})
    base = ["--config", str(config_dir), "--database-url",
            export_app.config["LEADLOOM_SETTINGS"].database_url, "export"]
    refused = runner.invoke(cli, [*base, "account", str(tmp_path / "a.csv"), "--as", "fin1"])
    assert refused.exit_code == 1 and "你的角色不能导出" in refused.output
    assert not (tmp_path / "a.csv").exists()
    bad = runner.invoke(cli, [*base, "lead", str(tmp_path / "b.xlsx"), "--q", "(((" ])
    assert bad.exit_code == 1 and "rison" in bad.output
    usage = runner.invoke(cli, [*base, "lead", str(tmp_path / "c.pdf")])
    assert usage.exit_code == 2
