"""A generated expo list with duplicates in the file and in the database, imported by a
supervisor: exact counts, gapless numbers per source and day, every new lead assigned, and
the fixed error file completes the import. 300 rows through the engine by default; the
10,000-row list of the issue through REST (the job) and through the command line, slow.
The screen's way is the browser test's (tests/browser/test_impscreen_wizard.py)."""

from __future__ import annotations

import io
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from leadloom.cli.main import cli
from leadloom.imports import (
    ImportOptions,
    create_run,
    error_file,
    perform,
    read_sheet,
    suggest_mapping,
)
from tests.conftest import PASSWORD
from tests.integration.records.leads.conftest import World
from tests.integration.records.leads.impcore_lists import expo_list, workbook


def edit_config(folder: object) -> None:
    """A world of its own: every number of its days is this module's."""


def _import(world: World, username: str, data: bytes, name: str) -> int:
    ctx = world.ctx(username, channel="import")
    sheet = read_sheet(data, name)
    mapping = suggest_mapping(world.models.registry, "lead", sheet.headers, preset="cn_crm")
    run_id = create_run(ctx, "lead", name, data, mapping, ImportOptions())
    assert perform(world.session, world.models, run_id) is not None
    return run_id


def _through_rest(world: World, username: str, data: bytes, name: str) -> int:
    client = world.app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": username, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/v1/lead/import", headers=auth, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(data), name), "preset": "cn_crm"})
    assert answer.status_code == 202, answer.get_json()
    run_id = answer.get_json()["id"]
    for _ in range(2400):
        if client.get(f"/api/v1/lead/import/{run_id}", headers=auth).get_json()["status"] in (
                "done", "failed"):
            break
        time.sleep(0.25)
    return run_id


def _through_cli(world: World, username: str, data: bytes, name: str, folder: Path) -> int:
    source = folder / name
    source.write_bytes(data)
    url = world.st.db.engine.url.render_as_string(hide_password=False)
    world.session.commit()
    result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url", url,
                                      "import", "lead", str(source), "--as", username,
                                      "--preset", "cn_crm"])
    assert result.exit_code == 0, result.output
    table = world.models.metadata.tables["ll_import_run"]
    return world.session.scalar(sa.select(sa.func.max(table.c.id)))


def _numbers_are_gapless(world: World) -> None:
    lead = world.models.cls("lead")
    sequences: dict[str, list[int]] = defaultdict(list)
    for number in world.session.scalars(sa.select(lead.lead_no)):
        prefix, seq = re.fullmatch(r"(.+-\d{8})-(\d+)", number).groups()
        sequences[prefix].append(int(seq))
    for prefix, seqs in sequences.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), prefix


@pytest.mark.parametrize(("rows", "channel"), [
    (300, "engine"), pytest.param(10_000, "rest", marks=pytest.mark.slow),
    pytest.param(10_000, "cli", marks=pytest.mark.slow)])
def test_expo_list(world: World, rows: int, channel: str, tmp_path: Path) -> None:
    world.freeze("2025-03-04 09:30")
    base = rows + (20_000 if channel == "cli" else 0)  # names and phones of its own
    made = expo_list(rows, base=base)
    for username, stored in made.stored.items():
        _import(world, username, workbook(stored), "before.xlsx")
    if channel == "rest":
        run_id = _through_rest(world, "sup1", made.xlsx(), "expo.xlsx")
    elif channel == "cli":
        run_id = _through_cli(world, "sup1", made.xlsx(), "expo.xlsx", tmp_path)
    else:
        run_id = _import(world, "sup1", made.xlsx(), "expo.xlsx")
    world.session.expire_all()
    ctx = world.ctx("sup1")
    table = world.models.metadata.tables["ll_import_run"]
    run = world.session.execute(sa.select(table).where(table.c.id == run_id)).one()
    assert run.status == "done" and run.processed == rows
    reasons = world.session.execute(sa.select(world.models.metadata.tables["ll_import_issue"]
                                              .c.reasons).limit(5)).all()
    assert run.counts == made.counts(), reasons
    issues = world.models.metadata.tables["ll_import_issue"]
    lead = world.models.cls("lead")
    names = sorted({cells[0] for cells in made.rows if cells[0]})
    owners = world.session.execute(sa.select(lead.owner_id, lead.pool).where(
        lead.customer_name.in_(names), lead.created_by_id == world.ids["sup1"])).all()
    assert len(owners) == made.counts()["created"]
    assert all(o.owner_id is not None or o.pool for o in owners)
    _numbers_are_gapless(world)
    notices = world.session.scalars(sa.select(issues.c.reasons).where(
        issues.c.run_id == run_id, issues.c.outcome == "skipped"))
    west = {cells[4] for cells in made.stored["rep3"]}  # another unit's: sup1 cannot see
    assert sum("cannot see" in str(r) for r in notices) == sum(r[4] in west for r in made.rows)
    # fix the refused rows of the error file and import it again: the list is complete
    name, body = error_file(ctx, run_id)
    fixed = read_sheet(body, name)
    refused = [r for r in fixed.rows if r[-1].startswith("[拒绝]")]
    assert len(refused) == made.counts()["refused"]
    for cells in refused:
        cells[0] = cells[0] or "补全的客户名称有限公司"
        cells[1] = "制造业"
        cells[4] = cells[4] if cells[4] != "12345" else f"136{len(cells[0]):08d}"
    again = _import(world, "sup1", workbook(refused, fixed.headers), name)
    second = world.session.execute(sa.select(table).where(table.c.id == again)).one()
    assert second.counts["refused"] == 0
    assert second.counts["created"] + second.counts["skipped"] == len(refused)
    _numbers_are_gapless(world)
