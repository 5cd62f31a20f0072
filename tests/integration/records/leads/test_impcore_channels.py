"""The import through its channels: the CLI (counts, error file next to the input, exit
code) and REST (202, the run, its error file; bad files answer 400, never 500)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask

from leadloom.cli.main import cli
from leadloom.imports import import_run
from tests.conftest import PASSWORD
from tests.integration.records.leads.conftest import World
from tests.integration.records.leads.test_impcore_engine import row, xlsx


def _url(world: World) -> str:
    return world.st.db.engine.url.render_as_string(hide_password=False)


def test_cli_import_counts_and_error_file(world: World, tmp_path: Path) -> None:
    source = tmp_path / "expo.xlsx"
    source.write_bytes(xlsx([row(5000), row(5001, industry="??"), row(5000)]))
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url",
                                      _url(world), "import", "lead", str(source), "--as",
                                      "rep1", "--preset", "cn_crm"])
    assert result.exit_code == 0, result.output
    assert "created 1, updated 0, flagged 0, skipped 1, refused 1" in result.output
    errors = tmp_path / "expo.errors.xlsx"
    assert str(errors) in result.output
    sheet = openpyxl.load_workbook(errors).active
    assert sheet.max_row == 3


def test_cli_unreadable_file_exits_1(world: World, tmp_path: Path) -> None:
    source = tmp_path / "notes.xlsx"
    source.write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url",
                                      _url(world), "import", "lead", str(source)])
    assert result.exit_code == 1
    assert "XLSX" in result.output


def _token(app: Flask, username: str) -> dict[str, str]:
    answer = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": PASSWORD, "provider": "db"})
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_rest_import_run_and_errors(world: World) -> None:
    client = world.app.test_client()
    auth = _token(world.app, "rep1")
    body = xlsx([row(6000), row(6001, phone="1"), row(6002)])
    answer = client.post("/api/v1/lead/import", headers=auth, data={
        "file": (io.BytesIO(body), "list.xlsx"), "on_duplicate": "skip"},
        content_type="multipart/form-data")
    assert answer.status_code == 202, answer.get_json()
    run_id = answer.get_json()["id"]
    for _ in range(120):
        run = client.get(f"/api/v1/lead/import/{run_id}", headers=auth).get_json()
        if run["status"] in ("done", "failed"):
            break
        time.sleep(0.25)
    assert run["status"] == "done", run
    assert run["counts"]["created"] == 2 and run["counts"]["refused"] == 1
    assert import_run(world.ctx("rep2"), run_id) is None  # only its importer (and admins)
    errors = client.get(f"/api/v1/lead/import/{run_id}/errors", headers=auth)
    assert errors.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(errors.data)).active.max_row == 2


def test_rest_unreadable_file_and_mapping_are_422(world: World) -> None:
    client = world.app.test_client()
    auth = _token(world.app, "rep1")
    answer = client.post("/api/v1/lead/import", headers=auth, data={
        "file": (io.BytesIO(b""), "list.csv")}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["file"]
    wrong = client.post("/api/v1/lead/import", headers=auth, data={
        "file": (io.BytesIO(xlsx([row(7000)])), "list.xlsx"), "mapping": "[1]"},
        content_type="multipart/form-data")
    assert wrong.status_code == 422
    missing = client.post("/api/v1/lead/import", headers=auth, data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["errors"]["file"]


def test_rest_bad_option_names_its_field(world: World) -> None:
    client = world.app.test_client()
    answer = client.post("/api/v1/lead/import", headers=_token(world.app, "rep1"), data={
        "file": (io.BytesIO(xlsx([row(7100)])), "list.xlsx"), "on_duplicate": "merge"},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert answer.get_json()["errors"]["on_duplicate"]


def test_cli_dry_run_writes_nothing(world: World, tmp_path: Path) -> None:
    source = tmp_path / "dry.csv"
    source.write_text("客户名称,所属行业,来源渠道,联系人姓名,联系电话,核心需求描述\n"
                      "干跑客户有限公司,制造业,WEB,周经理,13900007777,需要CRM\n", "utf-8")
    lead = world.models.cls("lead")
    before = world.session.scalar(sa.select(sa.func.count(lead.id)))
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url",
                                      _url(world), "import", "lead", str(source), "--as",
                                      "rep1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: created 1" in result.output
    world.session.rollback()
    assert world.session.scalar(sa.select(sa.func.count(lead.id))) == before
