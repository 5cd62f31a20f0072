"""Batch updates through the write path (``records.bulk_update``): per-record outcomes, the
same rows as the single path, and a nightly reclaim whose statement count does not grow
with the number of leads it returns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import sqlalchemy as sa

from leadloom.records import Context, RecordError, bulk_create, bulk_update, create, update
from leadloom.records import batch_update as bulk_update_module
from leadloom.records.batch_update import UPDATED, BulkUpdateResult, RowOutcome, _refusal
from leadloom.records.leads import periodic

C = {"budget_status": "unclear", "need_clarity": "vague"}


def edit_config(folder):
    """A world of its own: the reclaim and tick tests count every lead of the database."""


def owned(world, user: str, n: int) -> list[int]:
    rows = [world.lead(owner=world.ids[user], **C) for _ in range(n)]
    return bulk_create(world.ctx("sup1"), "lead", rows)


def test_each_record_gets_its_own_outcome(world):
    world.freeze("2024-05-06 10:00")
    east = owned(world, "rep1", 3)
    west = owned(world, "rep3", 1)
    stale = east[2]
    result = bulk_update(world.ctx("sup1"), "lead", {
        east[0]: {"need_description": "换了需求"},
        east[1]: {"industry": "no-such-industry"},
        stale: {"need_description": "旧版本", "version": 0},
        west[0]: {"need_description": "别的团队"},
        999_999: {"need_description": "没有"}})
    status = {pk: o.status for pk, o in result.outcomes.items()}
    assert status == {east[0]: "updated", east[1]: "refused", stale: "conflict",
                      west[0]: "not_found", 999_999: "not_found"}
    assert "industry" in result.outcomes[east[1]].errors
    assert world.row("lead", east[0]).need_description == "换了需求"
    assert world.row("lead", east[0]).version == 2
    assert world.row("lead", east[1]).version == 1  # refused: untouched
    assert world.row("lead", west[0]).need_description != "别的团队"
    audit = world.models.metadata.tables["ll_audit"]
    written = world.session.scalars(sa.select(audit.c.record_id).where(
        audit.c.record_id.in_([*east, *west]), audit.c.action == "update")).all()
    assert written == [east[0]]


def test_a_row_a_concurrent_write_won_is_a_conflict_and_the_others_are_written(world,
                                                                               monkeypatch):
    world.freeze("2024-05-07 10:00")
    ids = owned(world, "rep1", 3)
    engine = world.session.get_bind()
    lead = world.models.cls("lead").__table__
    real = bulk_update_module.run_before_batch
    raced: list[int] = []

    def race_then_hooks(hooks: Any, changes: Any) -> None:
        if not raced:  # another process saves ids[1] between our read and our write
            raced.append(ids[1])
            thread = threading.Thread(target=_bump, args=(engine, lead, ids[1]))
            thread.start()
            thread.join()
        real(hooks, changes)

    monkeypatch.setattr(bulk_update_module, "run_before_batch", race_then_hooks)
    result = bulk_update(world.ctx("sup1"), "lead",
                         {pk: {"need_description": "批量"} for pk in ids})
    assert {pk: o.status for pk, o in result.outcomes.items()} == {
        ids[0]: "updated", ids[1]: "conflict", ids[2]: "updated"}
    rows = {pk: world.row("lead", pk) for pk in ids}
    assert [rows[pk].need_description for pk in ids] == ["批量", "别人改的", "批量"]
    assert [rows[pk].version for pk in ids] == [2, 2, 2]  # never written twice
    audit = world.models.metadata.tables["ll_audit"]
    assert sorted(world.session.scalars(sa.select(audit.c.record_id).where(
        audit.c.record_id.in_(ids), audit.c.action == "update"))) == [ids[0], ids[2]]


def _bump(engine: sa.Engine, lead: sa.Table, pk: int) -> None:
    with engine.begin() as connection:
        connection.execute(sa.update(lead).where(lead.c.id == pk).values(
            need_description="别人改的", version=lead.c.version + 1))


def single_path(ctx: Context, entity_code: str, changes: Any,
                *, meta: Any = None) -> BulkUpdateResult:
    """What reclaim did before the batch mode: ``records.update`` once per lead."""
    result = BulkUpdateResult()
    for pk, data in changes.items():
        row_ctx = dataclasses.replace(ctx, meta={**ctx.meta, **(meta or {}).get(pk, {})})
        try:
            update(row_ctx, entity_code, pk, data)
            result.outcomes[pk] = RowOutcome(pk, UPDATED)
        except RecordError as error:
            ctx.session.rollback()
            result.outcomes[pk] = _refusal(pk, error)
    return result


def test_reclaim_writes_the_same_rows_in_batch_as_one_by_one(world, monkeypatch):
    def reclaimed_set(path: Any) -> dict[str, Any]:
        start = world.freeze("2024-01-02 10:00")
        ids = [create(world.ctx("sup1"), "lead", world.lead(owner=world.ids[user], **C)).id
               for user in ("rep1", "rep1", "rep2", "rep3")]
        update(world.ctx("sup1"), "lead", ids[1], {"status": "converted"})  # excluded
        monkeypatch.setattr(periodic, "bulk_update", path)
        world.freeze("2024-02-28 10:00")  # 57 days: the East warns, the West reclaims
        periodic.reclaim(world.ctx(None, "job"), start + dt.timedelta(days=57))
        world.freeze("2024-03-02 10:00")
        assert periodic.reclaim(world.ctx(None, "job"), start + dt.timedelta(days=60)) == 2
        return snapshot(world, ids)

    one_by_one = reclaimed_set(single_path)
    batch = reclaimed_set(bulk_update)
    for part in ("leads", "events", "audit", "messages"):
        assert batch[part] == one_by_one[part], part
    assert [row["owner_id"] for row in batch["leads"]] == [None, world.ids["rep1"], None,
                                                          None]


def test_changed_contacts_store_the_same_keys_in_batch_as_one_by_one(world):
    """Updates that change 查重 fields (and one that does not) leave the same keys,
    history, audit and messages whichever path wrote them."""
    def changed(path: Any) -> dict[str, Any]:
        world.freeze("2024-04-01 10:00")
        ids = [create(world.ctx("sup1"), "lead", world.lead(
            owner=world.ids["rep1"], customer_name=name, **C)).id
            for name in ("北辰科技有限公司", "东海贸易有限公司", "西岭制造有限公司")]
        result = path(world.ctx("sup1"), "lead", {
            ids[0]: {"contact_phone": "13800138001"},
            ids[1]: {"contact_email": "zhou@example.com", "customer_name": "南山物流有限公司"},
            ids[2]: {"need_description": "只改需求"}})
        assert result.updated == ids
        keys = world.models.metadata.tables["ll_dedupe_key"]
        relative = {pk: n for n, pk in enumerate(ids)}
        stored = sorted((relative[r.record_id], r.kind, r.key, r.block)
                        for r in world.session.execute(sa.select(keys).where(
                            keys.c.record_id.in_(ids))))
        found = {"keys": stored, **snapshot(world, ids)}
        for n, pk in enumerate(ids):  # the next run's leads must not find these
            update(world.ctx("sup1"), "lead", pk, {
                "customer_name": f"Retired {n} {pk} Ltd", "contact_phone": None,
                "contact_email": None})
        return found

    one_by_one = changed(single_path)
    batch = changed(bulk_update)
    for part in ("keys", "leads", "events", "audit", "messages"):
        assert batch[part] == one_by_one[part], part
    assert {kind for lead, kind, _, _ in batch["keys"] if lead == 0} >= {"phone"}


def snapshot(world, ids: list[int]) -> dict[str, Any]:
    """The leads' rows, history, audit and messages, with ids and numbers made relative."""
    tables = world.models.metadata.tables
    lead = tables["lead"]
    numbers = {}
    customers = {}  # replaced in the messages about these leads only (names repeat)
    leads = []
    for index, pk in enumerate(ids):
        row = dict(world.session.execute(sa.select(lead).where(lead.c.id == pk)).one()._mapping)
        numbers[row["lead_no"]] = f"<{index}>"
        customers[row["customer_name"]] = f"<{index}>"
        leads.append({k: v for k, v in row.items() if k not in (
            "id", "lead_no", "customer_name", "updated_at", "created_at")})
    relative = {pk: index for index, pk in enumerate(ids)}
    events = [
        {"lead": relative[r.lead_id], "kind": r.kind, "at": r.at, "actor": r.actor_id,
         "user": r.user_id, "old": r.old, "new": r.new, "reason": r.reason}
        for r in world.session.execute(sa.select(tables["ll_lead_event"]).where(
            tables["ll_lead_event"].c.lead_id.in_(ids)).order_by(tables["ll_lead_event"].c.id))]
    audit = tables["ll_audit"]
    trail = [
        {"lead": relative[r.record_id], "action": r.action, "actor": r.actor_id,
         "channel": r.channel, "comment": r.comment,
         "changes": {k: v for k, v in r.changes.items() if k != "customer_name"}}
        for r in world.session.execute(sa.select(audit).where(
            audit.c.entity == "lead", audit.c.record_id.in_(ids)).order_by(audit.c.id))]
    inbox = tables["ll_notification"]
    messages = []
    for r in world.session.execute(sa.select(inbox).order_by(inbox.c.id)):
        title = r.title
        for number, mark in numbers.items():
            title = title.replace(number, mark)
        link = r.link
        for pk, index in relative.items():
            link = (link or "").replace(f"/lead/show/{pk}", f"/lead/show/<{index}>")
        if "<" in title:
            for name, mark in customers.items():
                title = title.replace(name, mark) if "<" in link else title
            messages.append((r.user_id, r.kind, title, link, (r.key or "").split(":")[0]))
    return {"leads": leads, "events": events, "audit": trail, "messages": sorted(messages)}


def test_a_tick_makes_as_many_statements_for_200_idle_leads_as_for_10(world):
    def statements(n: int, day: str) -> int:
        start = world.freeze(f"{day} 10:00")
        owned(world, "rep3", n)  # the West reclaims after 45 days
        later = start + dt.timedelta(days=50)
        world.freeze(str(later + dt.timedelta(hours=8)))
        engine = world.session.get_bind()
        seen: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            counts = periodic.tick(world.ctx(None, "job"), later)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert counts["reclaim"] == n
        return len(seen)

    few = statements(10, "2023-03-01")
    many = statements(200, "2023-06-01")  # the first run's leads wait in the pool
    assert many <= few

