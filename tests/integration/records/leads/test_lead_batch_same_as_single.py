"""The batch mode gives what single writes give: the same input written once row by row
through ``records.create`` and once through ``bulk_create``, on two fresh databases with
the default config, leaves the same rows behind.

Compared: leads, tasks, follow-ups, the lead history, notifications, duplicate keys, the
audit trail, the stage history, the SLA records and the counters. Left out, because each
write stamps them itself and no two writes can share them: row ids of the rule-made rows whose order
differs between the paths (tasks, history, messages, keys, audit and stage rows are
compared as sets; leads and follow-ups keep their ids, referenced by the others), and the
wall-clock write times (``created_at``/``updated_at`` of records, ``at`` of audit and stage
rows, ``created_at`` of messages, ``seconds_in_from``) — the rules' own times (assigned
at, deadlines, history ``at``) come from the frozen rule clock and are compared. A batch
gathers a person's messages of a kind under one notice: its lines are compared with the
single writes' messages, the gathering notice is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from leadloom.records import bulk_create, bulk_update, create, update
from tests.integration.records.leads.conftest import CONFIG, World, make_world

#: columns each write stamps with the wall clock, per table
WRITE_TIMES = {"ll_audit": {"id", "at"}, "ll_stage_history": {"id", "at", "seconds_in_from"},
               "ll_notification": {"id", "created_at", "parent_id"}}
RECORD_TIMES = {"created_at", "updated_at"}
#: tables whose row ids follow the order of the writes, and those that keep them
UNORDERED = ("task", "ll_lead_event", "ll_notification", "ll_dedupe_key", "ll_audit",
             "ll_stage_history", "ll_sla_record")
ORDERED = ("lead", "followup", "ll_counter")
NOW = "2024-08-05 10:00"


def lead_inputs(world: World) -> list[dict[str, Any]]:
    good = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
            "purchase_timeline": "within_1m"}
    poor = {"budget_status": "unclear", "need_clarity": "vague", "authority": "none",
            "purchase_timeline": "unknown"}
    rows = [
        {"customer_name": "杭州大华制造股份有限公司", "employee_range": "1000-4999", **good},
        {"customer_name": "上海申江物流有限公司", "contact_phone": "13900001111",
         "owner": world.ids["rep1"]},
        {"customer_name": "上海申江物流有限公司", "contact_phone": "13900001111"},
        {"customer_name": "南京明远贸易有限公司", "contact_email": "li@mingyuan.cn", **poor},
        {"customer_name": "苏州明远贸易有限公司", "contact_email": "li@mingyuan.cn"},
        {"customer_name": "成都天府软件有限公司", "province": "四川",
         "budget_status": "sufficient"},
        {"customer_name": "宁波港城电子有限公司", "employee_range": "5000+", **good},
    ]
    rows += [{"customer_name": f"温州第{i}机械有限公司", "need_clarity": "clear"}
             for i in range(6)]
    # by the lead's data: West's 2:1 split and key accounts, an existing customer's phone
    # (its owner, rep2, is away: the territory takes it), its company name (rep1's
    # account), and no territory at all (the default unit's pool, its managers told)
    rows += [{"customer_name": f"重庆第{i}电气有限公司", "province": "重庆"} for i in range(3)]
    rows += [{"customer_name": "西安秦川重工集团", "province": "陕西", **good,
              "employee_range": "5000+"},
             {"customer_name": "绵阳老客户仪表有限公司", "province": "四川",
              "contact_phone": "13712345678"},
             {"customer_name": "宁波老客户模具有限公司"},
             {"customer_name": "海口椰林贸易有限公司", "province": "海南", **poor}]
    rows += [{"customer_name": f"嘉兴第{i}纺织有限公司", **poor} for i in range(3)]
    return [world.lead(**row) for row in rows]


def followup_inputs(lead_ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    """Two follow-ups on each lead, the second with a next action."""
    rows = []
    for lead_id in lead_ids:
        rows.append({"lead": lead_id, "occurred_at": now - dt.timedelta(hours=3),
                     "method": "phone", "summary": "初次电话沟通",
                     "customer_feedback": "interested"})
        rows.append({"lead": lead_id, "occurred_at": now - dt.timedelta(hours=1),
                     "method": "wechat", "summary": "发送方案", "customer_feedback": "evaluating",
                     "next_action": "上门演示", "next_action_due": dt.date(2024, 8, 7)})
    return rows


def existing_customers(world: World) -> None:
    """Two accounts (rep2's with a contact's phone, rep1's by name); rep2 away today."""
    rep1, rep2 = world.ctx("rep1"), world.ctx("rep2")
    first = create(rep2, "account", {"name": "绵阳老客户仪表集团", "industry": "manufacturing"})
    create(rep2, "contact", {"name": "冯总", "account": first.id, "mobile": "13712345678"})
    create(rep1, "account", {"name": "宁波老客户模具有限公司", "industry": "manufacturing"})
    create(rep2, "absence", {"starts_on": "2024-08-05", "ends_on": "2024-08-09"})


def write_single(world: World) -> None:
    existing_customers(world)
    for row in lead_inputs(world):
        create(world.ctx("sup1", "import"), "lead", row)
    for row in followup_inputs(_leads_of(world, "rep1"), world.freeze(NOW)):
        create(world.ctx("rep1"), "followup", row)


def write_batch(world: World) -> None:
    existing_customers(world)
    bulk_create(world.ctx("sup1", "import"), "lead", lead_inputs(world))
    bulk_create(world.ctx("rep1"), "followup",
                followup_inputs(_leads_of(world, "rep1"), world.freeze(NOW)))


def _leads_of(world: World, username: str) -> list[int]:
    lead = world.models.cls("lead").__table__
    return list(world.session.scalars(sa.select(lead.c.id).where(
        lead.c.owner_id == world.ids[username]).order_by(lead.c.id)))


def snapshot(world: World) -> dict[str, list[Any]]:
    """Every compared table, as comparable rows."""
    tables = world.models.metadata.tables
    found: dict[str, list[Any]] = {}
    for name in (*ORDERED, *UNORDERED):
        table = tables[name]
        left_out = WRITE_TIMES.get(name, RECORD_TIMES if "version" in table.c else set())
        if name in UNORDERED:
            left_out = left_out | {"id"}
        gathering = {r.parent_id for r in world.session.execute(sa.select(table))
                     if getattr(r, "parent_id", None)}
        rows = [{k: v for k, v in row._mapping.items() if k not in left_out}
                for row in world.session.execute(sa.select(table).order_by(*table.primary_key))
                if row._mapping.get("id") not in gathering]
        found[name] = rows if name in ORDERED else sorted(rows, key=repr)
    return found


@contextmanager
def fresh_world(database_factory: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> Any:
    worlds = make_world(CONFIG, database_factory(), monkeypatch)
    world = next(worlds)
    try:
        world.freeze(NOW)
        yield world
    finally:
        worlds.close()


@pytest.mark.slow
def test_bulk_create_leaves_the_rows_single_creates_leave(database_factory, monkeypatch):
    with fresh_world(database_factory, monkeypatch) as world:
        write_single(world)
        single = snapshot(world)
    with fresh_world(database_factory, monkeypatch) as world:
        write_batch(world)
        batch = snapshot(world)
    assert len(single["lead"]) == 23 and len(single["followup"]) >= 4
    assert {r["unit"] for r in single["lead"]} == {"east", "west"}
    assert sum(bool(r["upsell"]) for r in single["lead"]) == 2
    assert any(r["kind"] == "pool" for r in single["ll_notification"])
    assert any(c.get("skipped") == "away" for r in single["ll_lead_event"] if r["detail"]
               for c in r["detail"].get("candidates", []))
    assert {r["kind"] for r in single["task"]} >= {"first_touch", "cadence", "next_action"}
    assert any(r["duplicate_hint"] for r in single["lead"])
    assert any(r["pool"] == "public" for r in single["lead"])
    assert {(r["kind"], r["state"]) for r in single["ll_sla_record"]} >= {
        ("first_touch", "met"), ("first_touch", "pending"), ("cadence", "met"),
        ("cadence", "pending")}
    for name in single:
        assert batch[name] == single[name], name


def signing_leads(world: World) -> list[int]:
    """Four of rep1's leads in 成交签约, each with a pending contract and the first with
    two; the last one's contract already confirmed, so its lead is in 售后服务 already.
    The contracts' ids, in lead order."""
    rep1 = world.ids["rep1"]
    system = world.ctx(None)
    account = create(world.ctx("rep1"), "account", {"name": "签约客户集团",
                                                     "industry": "finance"}).id
    contracts = []
    for n in range(4):
        lead = create(system, "lead", world.lead(
            customer_name=f"签约客户{n}有限公司", owner=rep1, grade="A")).id
        update(system, "lead", lead, {"stage": "negotiation", "expected_amount": "300000",
                                      "expected_close_date": "2024-09-30"})
        for k in range(2 if n == 0 else 1):
            contracts.append(create(world.ctx("rep1"), "contract", {
                "contract_no": f"HT2024{n}{k}", "account": account, "lead": lead,
                "amount": "300000.00", "sign_date": "2024-08-01",
                "product_type": ["license"]}).id)
        update(system, "lead", lead, {"stage": "signing"})
    update(world.ctx("fin1"), "contract", contracts[-1], CONFIRMED)
    return contracts


CONFIRMED = {"finance_status": "confirmed"}


def confirmed_snapshot(world: World) -> dict[str, list[Any]]:
    """``snapshot``, the wall-clock confirmation time left out of the audited changes."""
    found = snapshot(world)
    for row in found["ll_audit"]:
        row["changes"] = {k: v for k, v in (row["changes"] or {}).items()
                          if k != "finance_confirmed_at"}
    found["ll_audit"].sort(key=repr)
    return found


@pytest.mark.slow
def test_bulk_confirmed_contracts_move_their_leads_as_single_confirmations(
        database_factory, monkeypatch):
    """Finance confirms every contract, the already confirmed one again: each lead ends in
    售后服务 once, with the same stage history, audit and lead rows both ways."""
    with fresh_world(database_factory, monkeypatch) as world:
        for pk in signing_leads(world):
            update(world.ctx("fin1"), "contract", pk, CONFIRMED)
        single = confirmed_snapshot(world)
    with fresh_world(database_factory, monkeypatch) as world:
        result = bulk_update(world.ctx("fin1"), "contract",
                             dict.fromkeys(signing_leads(world), CONFIRMED))
        assert not result.failed
        batch = confirmed_snapshot(world)
    moved = [r for r in single["ll_stage_history"] if r["to_stage"] == "after_sales"]
    assert len(moved) == 4 and {r["from_stage"] for r in moved} == {"signing"}
    assert sorted(r["comment"].split(":")[0] for r in moved) == [
        f"合同 HT2024{n}0" for n in range(4)]  # the first contract confirmed moved it
    assert [r["stage"] for r in single["lead"] if r["stage"] in ("signing", "after_sales")
            ] == ["after_sales"] * 4
    for name in single:
        assert batch[name] == single[name], name
