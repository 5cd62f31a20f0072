"""The scheduler on RQ's cron with a fixed clock: a report due on Monday 09:00
Asia/Shanghai is queued exactly once, even with two schedulers running; a slot missed
while no scheduler ran is queued once when one starts again (the latest one only)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import fakeredis
import pytest
import sqlalchemy as sa
from rq import Queue
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from leadloom.jobs import scheduler as module
from leadloom.jobs.scheduler import LOCK_KEY, Scheduler
from leadloom.jobs.slots import SlotClaims
from leadloom.metadata import load_registry
from tests.helpers import Clock

CONFIG = Path(__file__).resolve().parents[3] / "config"
#: Monday 5 January 2026, 09:00 in Shanghai
DUE = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def connection() -> fakeredis.FakeStrictRedis:
    return fakeredis.FakeStrictRedis(server=fakeredis.FakeServer())


@pytest.fixture
def claims() -> SlotClaims:
    """The slot table on an in-memory database every scheduler of a test shares."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool,
                              connect_args={"check_same_thread": False})
    found = SlotClaims(sessionmaker(engine))
    found.table.metadata.create_all(engine)
    return found


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_registry(CONFIG)


def queued(connection: fakeredis.FakeStrictRedis, first_arg: str) -> list:  # type: ignore[type-arg]
    return [j for j in Queue("default", connection=connection).jobs
            if j.args and j.args[0] == first_arg]


def weekly_jobs(connection: fakeredis.FakeStrictRedis) -> list:  # type: ignore[type-arg]
    return queued(connection, "weekly_funnel")


def walk(clock: Clock, schedulers: list[Scheduler], until: dt.datetime,
         step: dt.timedelta = dt.timedelta(seconds=20)) -> None:
    while clock.at < until:
        for scheduler in schedulers:
            scheduler.tick()
        clock.at += step


def test_due_on_monday_0900_shanghai_queued_once_with_two_schedulers(connection, registry, claims):
    clock = Clock(DUE - dt.timedelta(minutes=5))
    first = Scheduler(connection, registry, claims, clock=clock, name="first")
    second = Scheduler(connection, registry, claims, clock=clock, name="second")
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
                                                                        registry, claims):
    clock = Clock(DUE)
    first = Scheduler(connection, registry, claims, clock=Clock(DUE - dt.timedelta(hours=1)))
    second = Scheduler(connection, registry, claims, clock=Clock(DUE - dt.timedelta(hours=1)))
    for scheduler in (first, second):  # as if both believed they held the lock
        scheduler.acquire = lambda: True  # type: ignore[method-assign]
        scheduler.clock = clock
        for job in scheduler.get_jobs():
            job.clock = clock  # type: ignore[attr-defined]
    first.tick()
    second.tick()
    assert len(weekly_jobs(connection)) == 1


def test_second_scheduler_takes_over_without_queueing_the_slot_again(connection, registry, claims):
    clock = Clock(DUE - dt.timedelta(minutes=1))
    first = Scheduler(connection, registry, claims, clock=clock, name="first")
    second = Scheduler(connection, registry, claims, clock=clock, name="second")
    walk(clock, [first, second], DUE + dt.timedelta(minutes=2))
    assert len(weekly_jobs(connection)) == 1
    connection.delete(LOCK_KEY)  # the first one died and its lock expired
    walk(clock, [second], DUE + dt.timedelta(minutes=4))
    assert second.leader
    assert len(weekly_jobs(connection)) == 1
    clock.at = DUE + dt.timedelta(days=7)  # next Monday: the new leader queues it
    second.tick()
    assert len(weekly_jobs(connection)) == 2


def test_a_slot_missed_while_down_is_queued_once_when_back(connection, registry, claims):
    clock = Clock(DUE - dt.timedelta(hours=1))
    before = Scheduler(connection, registry, claims, clock=clock)
    before.tick()
    before.release()  # the process stopped
    clock.at = DUE + dt.timedelta(hours=2, minutes=3)  # down through 09:00 and 8 SLA slots
    back = Scheduler(connection, registry, claims, clock=clock)
    back.tick()
    back.tick()
    assert [j.args for j in weekly_jobs(connection)] == [("weekly_funnel", DUE.isoformat())]
    latest_sla = (DUE + dt.timedelta(hours=2)).isoformat()  # "*/15": only the latest one
    assert [j.args for j in queued(connection, "sla")] == [("sla", latest_sla)]
    runs = claims.latest_runs()
    assert runs["report.weekly_funnel"].outcome == "queued"
    assert runs["leads.sla"].slot == (DUE + dt.timedelta(hours=2)).replace(tzinfo=None)


def test_a_rule_seen_for_the_first_time_starts_with_its_next_slot(connection, registry,
                                                                  claims):
    clock = Clock(DUE + dt.timedelta(minutes=5))  # just after 09:00: not run on first sight
    scheduler = Scheduler(connection, registry, claims, clock=clock)
    scheduler.tick()
    assert weekly_jobs(connection) == []
    assert claims.latest_runs()["report.weekly_funnel"].outcome == "skipped"
    clock.at = DUE + dt.timedelta(days=7)
    scheduler.tick()
    assert len(weekly_jobs(connection)) == 1


def test_two_embedded_processes_each_with_its_own_redis_queue_each_slot_once(registry,
                                                                            claims):
    """Two web processes without Redis: each is leader of its own in-process Redis, so
    only the database claim keeps them from both running a slot."""
    clock = Clock(DUE - dt.timedelta(minutes=20))
    redis_a, redis_b = (fakeredis.FakeStrictRedis(server=fakeredis.FakeServer())
                        for _ in range(2))
    schedulers = [Scheduler(redis_a, registry, claims, clock=clock, name="a"),
                  Scheduler(redis_b, registry, claims, clock=clock, name="b")]
    walk(clock, schedulers, DUE + dt.timedelta(minutes=50), step=dt.timedelta(seconds=7))
    assert all(s.leader for s in schedulers)
    slots = [j.args for r in (redis_a, redis_b) for j in queued(r, "sla")]
    expected = [("sla", (DUE + dt.timedelta(minutes=m)).isoformat())
                for m in (-15, 0, 15, 30, 45)]
    assert sorted(slots) == expected
    assert len(weekly_jobs(redis_a)) + len(weekly_jobs(redis_b)) == 1


def test_a_second_scheduler_process_waits(connection, registry, claims, caplog):
    first = Scheduler(connection, registry, claims, name="first")
    assert first.acquire()
    second = Scheduler(connection, registry, claims, name="second")
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


def test_a_newly_published_config_replaces_the_schedules(connection, registry, claims, monkeypatch):
    monkeypatch.setattr(module, "RELOAD_EVERY", 0.0)
    running = Scheduler(connection, registry, claims)
    assert len([j for j in running.get_jobs() if ".report." in j.name]) == 4
    assert {j.name for j in running.get_jobs() if ".leads." in j.name} == {
        f"leadloom.leads.{job}" for job in ("reclaim", "sla", "tasks", "stale", "digest")}
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
    assert [j.name for j in running.get_jobs() if ".report." in j.name] == [
        "leadloom.report.weekly_funnel"]


@pytest.mark.parametrize("embedded", [True, False])
def test_a_claim_whose_web_process_died_is_run_again_in_the_embedded_mode(
        connection, registry, claims, embedded):
    """Embedded, a claimed slot's job lived in the dead process only: the next process
    on the host runs it. With Redis the job outlived its scheduler: no second run."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    slot = DUE + dt.timedelta(minutes=15)
    clock = Clock(DUE - dt.timedelta(minutes=5))
    Scheduler(connection, registry, claims, clock=clock).release()  # rules first seen
    with claims.sessions() as session:
        session.execute(sa.insert(claims.table).values(
            rule="leads.sla", slot=slot.replace(tzinfo=None), outcome="queued",
            claimed_by=f"{socket.gethostname()}:{dead.pid}", claimed_at=clock.at))
        session.commit()
    clock.at = slot + dt.timedelta(minutes=1)  # the process died; another one starts
    claims.embedded = embedded
    Scheduler(connection, registry, claims, clock=clock).tick()
    expected = [("sla", slot.isoformat())] if embedded else []
    assert [j.args for j in queued(connection, "sla")] == expected
    assert claims.latest_runs()["leads.sla"].claimed_by.endswith(
        f":{os.getpid()}" if embedded else f":{dead.pid}")
