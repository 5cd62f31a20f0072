"""A batch reads no more of a 查重 block than one lead is compared with (the lowest ids
first), and still finds what single creates find: with the cap at two, a block holding
four similar companies gives the same matches, hints and rows both ways."""

from __future__ import annotations

from typing import Any

import pytest

from leadloom.records import bulk_create, create
from leadloom.records.leads import duplicates
from tests.integration.records.leads.conftest import World
from tests.integration.records.leads.test_lead_batch_same_as_single import (
    fresh_world,
    snapshot,
)

STORED = ["杭州华联甲电子有限公司", "杭州华联乙电子有限公司", "杭州华联丙电子有限公司",
          "杭州华联丁电子有限公司"]
#: like the first stored (within the cap), like the last (beyond it), and new
NEW = ["上海华联甲电子有限公司", "上海华联丁电子有限公司", "上海华联戊电子科技有限公司"]


def _stored(world: World) -> None:
    for name in STORED:
        create(world.ctx("sup1", "import"), "lead", world.lead(customer_name=name))


def _inputs(world: World) -> list[dict[str, Any]]:
    return [world.lead(customer_name=name) for name in NEW]


@pytest.mark.slow
def test_a_capped_block_gives_batch_and_single_the_same_matches(database_factory,
                                                                monkeypatch):
    monkeypatch.setattr(duplicates, "MOST_ROWS", 2)
    with fresh_world(database_factory, monkeypatch) as world:
        _stored(world)
        for row in _inputs(world):
            create(world.ctx("sup1", "import"), "lead", row)
        single = snapshot(world)
    with fresh_world(database_factory, monkeypatch) as world:
        _stored(world)
        bulk_create(world.ctx("sup1", "import"), "lead", _inputs(world))
        batch = snapshot(world)
    hints = {r["customer_name"]: r["duplicate_hint"] for r in single["lead"]}
    assert hints["上海华联甲电子有限公司"]  # 华联甲 is among the block's first two
    assert not hints["上海华联丁电子有限公司"]  # 华联丁 is beyond the cap: not compared
    for name in single:
        assert batch[name] == single[name], name
