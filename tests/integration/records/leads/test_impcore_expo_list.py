"""A generated expo list with duplicates in the file and in the database, imported by a
supervisor through the job: exact counts, gapless numbers per source and day, every new
lead assigned, and the fixed error file completes the import. 300 rows by default; the
10,000-row list of the issue is the slow test."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import sqlalchemy as sa

from leadloom.imports import (
    ImportOptions,
    create_run,
    error_file,
    perform,
    read_sheet,
    suggest_mapping,
)
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


def _numbers_are_gapless(world: World) -> None:
    lead = world.models.cls("lead")
    sequences: dict[str, list[int]] = defaultdict(list)
    for number in world.session.scalars(sa.select(lead.lead_no)):
        prefix, seq = re.fullmatch(r"(.+-\d{8})-(\d+)", number).groups()
        sequences[prefix].append(int(seq))
    for prefix, seqs in sequences.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), prefix


@pytest.mark.parametrize("rows", [300, pytest.param(10_000, marks=pytest.mark.slow)])
def test_expo_list(world: World, rows: int) -> None:
    world.freeze("2025-03-04 09:30")
    made = expo_list(rows, base=rows)
    for username, stored in made.stored.items():
        _import(world, username, workbook(stored), "before.xlsx")
    run_id = _import(world, "sup1", made.xlsx(), "expo.xlsx")
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
