"""The report scheduler on RQ's cron with a fixed clock: a report due on Monday 09:00
Asia/Shanghai is queued exactly once, even with two schedulers running."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import replace
from pathlib import Path

import fakeredis
import pytest
from rq import Queue

from leadloom.jobs import scheduler as module
from leadloom.jobs.scheduler import LOCK_KEY, ReportScheduler
from leadloom.metadata import load_registry
from tests.helpers import Clock

CONFIG = Path(__file__).resolve().parents[3] / "config"
#: Monday 5 January 2026, 09:00 in Shanghai
DUE = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def connection() -> fakeredis.FakeStrictRedis:
    return fakeredis.FakeStrictRedis(server=fakeredis.FakeServer())


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_registry(CONFIG)


def weekly_jobs(connection: fakeredis.FakeStrictRedis) -> list:  # type: ignore[type-arg]
    return [j for j in Queue("default", connection=connection).jobs
            if j.args and j.args[0] == "weekly_funnel"]


def walk(clock: Clock, schedulers: list[ReportScheduler], until: dt.datetime,
         step: dt.timedelta = dt.timedelta(seconds=20)) -> None:
    while clock.at < until:
        for scheduler in schedulers:
            scheduler.tick()
        clock.at += step


def test_due_on_monday_0900_shanghai_queued_once_with_two_schedulers(connection, registry):
    clock = Clock(DUE - dt.timedelta(minutes=5))
    first = ReportScheduler(connection, registry, clock=clock, name="first")
    second = ReportScheduler(connection, registry, clock=clock, name="second")
    weekly = next(j for j in first.get_jobs() if j.name.endswith("weekly_funnel"))
    assert weekly.next_enqueue_time == DUE  # cron '0 9 * * 1' read in Asia/Shanghai
    walk(clock, [first, second], DUE - dt.timedelta(seconds=1))
    assert weekly_jobs(connection) == []
    walk(clock, [first, second], DUE + dt.timedelta(minutes=10))
    jobs = weekly_jobs(connection)
    assert len(jobs) == 1
    assert jobs[0].func_name == "leadloom.jobs.tasks.fan_out"
    assert jobs[0].args == ("weekly_funnel", DUE.isoformat())
    assert first.leader and not second.leader
    assert connection.get(LOCK_KEY) == b"first"
    assert weekly.next_enqueue_time == DUE + dt.timedelta(days=7)


def test_two_schedulers_racing_through_the_same_instant_still_queue_once(connection,
                                                                        registry):
    clock = Clock(DUE)
    first = ReportScheduler(connection, registry, clock=Clock(DUE - dt.timedelta(hours=1)))
    second = ReportScheduler(connection, registry, clock=Clock(DUE - dt.timedelta(hours=1)))
    for scheduler in (first, second):  # as if both believed they held the lock
        scheduler.acquire = lambda: True  # type: ignore[method-assign]
        scheduler.clock = clock
        for job in scheduler.get_jobs():
            job.clock = clock  # type: ignore[attr-defined]
    first.tick()
    second.tick()
    assert len(weekly_jobs(connection)) == 1


def test_second_scheduler_takes_over_without_queueing_the_slot_again(connection, registry):
    clock = Clock(DUE - dt.timedelta(minutes=1))
    first = ReportScheduler(connection, registry, clock=clock, name="first")
    second = ReportScheduler(connection, registry, clock=clock, name="second")
    walk(clock, [first, second], DUE + dt.timedelta(minutes=2))
    assert len(weekly_jobs(connection)) == 1
    connection.delete(LOCK_KEY)  # the first one died and its lock expired
    walk(clock, [second], DUE + dt.timedelta(minutes=4))
    assert second.leader
    assert len(weekly_jobs(connection)) == 1
    clock.at = DUE + dt.timedelta(days=7)  # next Monday: the new leader queues it
    second.tick()
    assert len(weekly_jobs(connection)) == 2


def test_a_slot_missed_by_more_than_the_grace_is_skipped(connection, registry):
    clock = Clock(DUE - dt.timedelta(hours=1))
    scheduler = ReportScheduler(connection, registry, clock=clock)
    clock.at = DUE + dt.timedelta(hours=2)  # the machine slept through 09:00
    scheduler.tick()
    assert weekly_jobs(connection) == []
    clock.at = DUE + dt.timedelta(days=7, minutes=3)  # a few minutes late is fine
    scheduler.tick()
    assert len(weekly_jobs(connection)) == 1


def test_a_second_scheduler_process_waits(connection, registry, caplog):
    first = ReportScheduler(connection, registry, name="first")
    assert first.acquire()
    second = ReportScheduler(connection, registry, name="second")
    stop = threading.Event()
    with caplog.at_level(logging.WARNING, logger="leadloom.jobs.scheduler"):
        thread = threading.Thread(target=second.run, args=(stop,), kwargs={"poll": 0.05})
        thread.start()
        threading.Event().wait(0.3)
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert "another scheduler (first) is active; waiting to take over" in caplog.text
    assert connection.get(LOCK_KEY) == b"first"  # the waiting one never took it


def test_a_newly_published_config_replaces_the_schedules(connection, registry, monkeypatch):
    monkeypatch.setattr(module, "RELOAD_EVERY", 0.0)
    running = ReportScheduler(connection, registry)
    assert len(running.get_jobs()) == 4
    weekly_only = replace(registry, reports=tuple(r for r in registry.reports
                                                  if r.name == "weekly_funnel"), version=2)
    offered = [weekly_only]
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop,), kwargs={
        "poll": 0.05, "reload": lambda: offered.pop() if offered else None})
    thread.start()
    threading.Event().wait(0.3)
    stop.set()
    thread.join(5)
    assert [j.name for j in running.get_jobs()] == ["leadloom.report.weekly_funnel"]
