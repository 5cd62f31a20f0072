"""The batch mode is set-based: a bulk create of new leads (every lead rule on) or of
follow-ups runs as many SQL statements for 200 rows as for 10 — the proof without a
stopwatch that no rule works row by row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from leadloom.records import bulk_create

#: the statements that gather a person's messages of a kind under one notice
GATHERING = 2
#: the most statements one batch may take, whatever its size
MOST = 80


def leads(world: Any, n: int, tag: str) -> list[dict[str, Any]]:
    """A mix the rules treat differently: graded A (round robin to supervisors), B (the
    unit's reps), C (the pool), given to rep1, with phones and e-mails shared in pairs."""
    kinds = [{"employee_range": "1000-4999", "budget_status": "sufficient",
              "need_clarity": "clear", "authority": "decides", "purchase_timeline": "1_3m"},
             {"need_clarity": "clear"},
             {"budget_status": "unclear", "need_clarity": "vague", "authority": "none"},
             {"owner": world.ids["rep1"]}]
    return [world.lead(customer_name=f"{tag}测试{i}号有限公司",
                       contact_phone=f"139{hash(tag) % 1000:03d}{i // 2:05d}",
                       contact_email=f"c{i // 2}@{tag}.cn", **kinds[i % len(kinds)])
            for i in range(n)]


def statements_for(world: Any, n: int, tag: str) -> tuple[int, int]:
    now = world.freeze("2024-10-08 10:00")
    with world.counted() as lead_statements:
        ids = bulk_create(world.ctx("sup1", "import"), "lead", leads(world, n, tag))
    lead = world.models.cls("lead").__table__
    mine = list(world.session.scalars(sa.select(lead.c.id).where(
        lead.c.id.in_(ids), lead.c.owner_id == world.ids["rep1"])))
    rows = [{"lead": mine[i % len(mine)], "occurred_at": now - dt.timedelta(minutes=n - i),
             "method": "phone", "summary": f"第{i}次沟通", "customer_feedback": "interested",
             "next_action": "报价", "next_action_due": dt.date(2024, 10, 10)}
            for i in range(n)]
    with world.counted() as followup_statements:
        bulk_create(world.ctx("rep1"), "followup", rows)
    return len(lead_statements), len(followup_statements)


def test_a_batch_takes_the_same_statements_for_10_rows_as_for_200(world):
    statements_for(world, 10, "预")  # the first batch also starts the day's counters
    small = statements_for(world, 10, "甲")
    large = statements_for(world, 200, "乙")
    print(f"statements for 10 / 200 rows: leads {small[0]} / {large[0]}, "
          f"follow-ups {small[1]} / {large[1]}")
    # a person's several messages of a kind gather under one notice: its insert and the
    # look-up of its id are two statements however many people and lines (10 rows give
    # each person one message of a kind, none gathered)
    assert large[0] - small[0] in (0, GATHERING) and large[1] == small[1]
    assert max(small) <= MOST
