"""The stale job reads only the leads idle long enough (an SQL filter on UTC times) and
still counts idle days on local calendar dates, as the job always did."""

from __future__ import annotations

from leadloom.records import create
from leadloom.records.leads import periodic

B = {"need_clarity": "partial"}


def edit_config(folder):
    """A world of its own: the stale job counts every lead of the database."""


def test_thirty_local_days_are_stale_though_fewer_hours_passed_in_utc(world):
    world.freeze("2024-02-01 07:00")  # 2024-01-31 23:00 UTC
    create(world.ctx("rep2"), "lead", world.lead(**B))
    system = world.ctx(None, "job")
    assert periodic.stale_alerts(system, world.freeze("2024-03-01 23:59")) == 0  # 29 days
    # 30 local days, 29 days and 17 hours in UTC
    assert periodic.stale_alerts(system, world.freeze("2024-03-02 00:01")) == 1
    assert any("）已 30 天未更新（最后活动 2024-02-01 07:00）" in t for t in world.inbox("rep2"))
