"""Imports through the one write path: rows fail one by one, duplicates in the file and
in the database are skipped, flagged or update the lead, invisible matches are skipped
with a notice, and the error file re-imports what was refused once fixed."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import sqlalchemy as sa

from leadloom.imports import (
    Importer,
    ImportOptions,
    counts,
    create_run,
    error_file,
    import_run,
    perform,
    preview,
    read_sheet,
    suggest_mapping,
)
from tests.integration.records.leads.conftest import World
from tests.integration.records.leads.impcore_lists import workbook

HEADERS = ["客户名称", "所属行业", "来源渠道", "联系人姓名", "联系电话", "核心需求描述",
           "预计金额", "预计成交日期"]


def xlsx(rows: list[list[Any]]) -> bytes:
    return workbook(rows, HEADERS)


def phone(n: int) -> str:
    return f"139{n:08d}"


def row(n: int, **over: Any) -> list[Any]:
    values = {"name": f"导入客户{n}有限公司", "industry": "制造业", "source": "WEB",
              "contact": "周经理", "phone": phone(n), "need": "需要CRM", "amount": "15",
              "date": "2025年5月1日"}
    values.update(over)
    return list(values.values())


def mapping(world: World, data: bytes) -> dict[str, str | None]:
    sheet = read_sheet(data, "list.xlsx")
    return suggest_mapping(world.models.registry, "lead", sheet.headers, preset="cn_crm")


def test_rows_fail_one_by_one_and_duplicates_are_skipped(world: World) -> None:
    world.freeze("2025-03-03 10:00")
    rows = [row(i) for i in range(1000, 1030)]
    rows[3] = row(1003, industry="不存在的行业")          # refused: unknown option
    rows[5] = row(1005, phone="12345")                    # refused: not a phone
    rows[7] = row(1001)                                   # same phone as row 1001: in-file dup
    data = xlsx(rows)
    ctx = world.ctx("rep1", channel="import")
    found = Importer(ctx, "lead", read_sheet(data, "list.xlsx"), mapping(world, data),
                     ImportOptions()).run(batch_size=10)
    tally = counts(found)
    assert tally == {"created": 27, "updated": 0, "flagged": 0, "skipped": 1, "refused": 2}
    created = [o.record_id for o in found if o.outcome == "created"]
    lead = world.models.cls("lead")
    stored = world.session.execute(sa.select(lead.lead_no, lead.owner_id, lead.expected_amount)
                                   .where(lead.id.in_(created))).all()
    assert len(stored) == 27 and all(r.owner_id for r in stored)
    assert {r.expected_amount for r in stored} == {150000}
    # again: every row now matches a stored lead
    again = Importer(ctx, "lead", read_sheet(data, "list.xlsx"), mapping(world, data),
                     ImportOptions()).run()
    assert counts(again)["skipped"] == 28


def test_preview_writes_nothing(world: World) -> None:
    data = xlsx([row(2000), row(2001, industry="??")])
    ctx = world.ctx("rep1", channel="import")
    lead = world.models.cls("lead")
    before = world.session.scalar(sa.select(sa.func.count(lead.id)))
    shown = preview(ctx, "lead", read_sheet(data, "x.xlsx"), mapping(world, data),
                    ImportOptions())
    assert [o.outcome for o in shown] == ["created", "refused"]
    assert world.session.scalar(sa.select(sa.func.count(lead.id))) == before


def test_run_and_error_file_reimport(world: World) -> None:
    data = xlsx([row(3000), row(3001, phone="x1"), row(3002)])
    ctx = world.ctx("rep1", channel="import")
    run_id = create_run(ctx, "lead", "expo.xlsx", data, mapping(world, data), ImportOptions())
    done = perform(world.session, world.models, run_id)
    assert done is not None and done.status == "done"
    assert done.counts["created"] == 2 and done.counts["refused"] == 1
    assert import_run(world.ctx("rep2"), run_id) is None
    name, body = error_file(ctx, run_id)
    assert name == "expo.errors.xlsx"
    fixed = read_sheet(body, name)
    assert fixed.row_count == 1 and fixed.headers[-1] == "原因"
    fixed.rows[0][fixed.headers.index("联系电话")] = phone(3001)
    book = openpyxl.Workbook()
    book.active.append(fixed.headers)
    book.active.append(fixed.rows[0])
    out = io.BytesIO()
    book.save(out)
    again = Importer(ctx, "lead", read_sheet(out.getvalue(), name),
                     mapping(world, out.getvalue()), ImportOptions()).run()
    assert counts(again)["created"] == 1


def test_supervisor_skips_matches_outside_his_scope_with_a_notice(world: World) -> None:
    west = Importer(world.ctx("rep3", channel="import"), "lead",
                    read_sheet(xlsx([row(8000)]), "w.xlsx"), mapping(world, xlsx([row(8000)])),
                    ImportOptions()).run()
    assert counts(west)["created"] == 1
    data = xlsx([row(8000), row(8001)])
    found = Importer(world.ctx("sup1", channel="import"), "lead", read_sheet(data, "e.xlsx"),
                     mapping(world, data), ImportOptions(on_duplicate="update")).run()
    assert [o.outcome for o in found] == ["skipped", "created"]
    notice = str(found[0].reasons[0])
    assert "cannot see" in notice and "陈*" in notice


def test_flag_and_update_choices(world: World) -> None:
    ctx = world.ctx("rep1", channel="import")
    first = xlsx([row(9000), row(9001)])
    done = Importer(ctx, "lead", read_sheet(first, "a.xlsx"), mapping(world, first),
                    ImportOptions()).run()
    data = xlsx([row(9000, need="改过的需求"), row(9001)])
    updated = Importer(ctx, "lead", read_sheet(data, "b.xlsx"), mapping(world, data),
                       ImportOptions(on_duplicate="update")).run()
    assert [o.outcome for o in updated] == ["updated", "updated"]
    lead = world.models.cls("lead")
    assert world.session.scalar(sa.select(lead.need_description).where(
        lead.id == done[0].record_id)) == "改过的需求"
    flagged = Importer(ctx, "lead", read_sheet(data, "c.xlsx"), mapping(world, data),
                       ImportOptions(on_duplicate="flag")).run()
    assert [o.outcome for o in flagged] == ["flagged", "flagged"]
    hint = world.session.scalar(sa.select(lead.duplicate_hint).where(
        lead.id == flagged[0].record_id))
    assert hint
