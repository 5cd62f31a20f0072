"""50 creates at once on PostgreSQL: numbers 001..050, no gap, no duplicate."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.records import Context, create

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(
    not os.environ.get("LEADLOOM_TEST_DATABASE_URL"), reason="needs PostgreSQL")]
PARALLEL = 50


def test_fifty_parallel_creates_get_gapless_numbers(world):
    world.freeze("2024-07-01 10:00")
    engine = sa.create_engine(world.session.get_bind().url, pool_size=PARALLEL + 5)
    base = world.ctx("rep1")
    start = threading.Barrier(PARALLEL)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def one(i: int) -> None:
        with Session(engine) as session:
            ctx = Context(base.actor, session, world.models, channel="api")
            start.wait()
            try:
                numbers.append(create(ctx, "lead", world.lead(
                    customer_name=f"并发客户{i:03d}号")).lead_no)
            except BaseException as exc:  # the assertion below names it
                failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert not failures, failures[:3]
    assert sorted(numbers) == [f"WEB-20240701-{i:03d}" for i in range(1, PARALLEL + 1)]
