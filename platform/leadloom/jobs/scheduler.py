"""Scheduled reports on RQ's cron (``rq.cron.CronScheduler``), read in each report's time
zone, with one active scheduler at a time.

Two safeguards keep a due report from being queued twice:

- a leader lock in Redis (``SET NX`` with a TTL, renewed on every tick): a second
  scheduler started by mistake waits, and takes over within ``LOCK_TTL`` seconds if the
  first one dies;
- a slot key per report and due time (``SET NX``): even two schedulers racing through the
  same instant queue the slot once.

A slot found more than ``GRACE`` late (a scheduler that was down) is skipped, not run.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from redis import Redis
from redis.exceptions import WatchError
from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.job import Job

from leadloom.jobs.tasks import JOB_TIMEOUT, RESULT_TTL, fan_out
from leadloom.metadata.registry import Registry
from leadloom.metadata.reports import Report

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
LOCK_KEY = "leadloom:scheduler:lock"
LOCK_TTL = 30
SLOT_TTL = 8 * 24 * 3600
GRACE = dt.timedelta(minutes=15)
RELOAD_EVERY = 30.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ZonedCronJob(CronJob):
    """A cron job whose expression is read in ``zone`` (RQ's own reads it in UTC)."""

    def __init__(self, *, zone: ZoneInfo, clock: Clock, **kwargs: Any) -> None:
        self.zone = zone
        self.clock = clock
        super().__init__(**kwargs)
        self.next_enqueue_time = self._next_after(clock())

    def _next_after(self, moment: dt.datetime) -> dt.datetime:
        local = moment.astimezone(self.zone)
        following: dt.datetime = croniter(self.cron, local).get_next(dt.datetime)
        return following.astimezone(dt.UTC)

    def get_next_enqueue_time(self) -> dt.datetime:
        return self._next_after(self.latest_enqueue_time or self.clock())

    def should_run(self) -> bool:
        return self.next_enqueue_time is not None and self.clock() >= self.next_enqueue_time

    def enqueue_slot(self, connection: Redis) -> Job | None:
        """Queue the due slot unless another scheduler did, or it is too late for it."""
        due = self.next_enqueue_time
        assert due is not None
        if self.clock() - due > GRACE:
            log.warning("%s: slot %s missed by more than %s; skipped", self.name, due, GRACE)
            return None
        key = f"leadloom:scheduler:slot:{self.name}:{int(due.timestamp())}"
        if not connection.set(key, "1", nx=True, ex=SLOT_TTL):
            return None
        assert self.func is not None
        queue = Queue(self.queue_name, connection=connection)
        job = queue.enqueue(self.func, *self.args, due.isoformat(), **self.job_options)
        connection.zadd(self.job_history_key, {job.id: time.time()})
        return job


class ReportScheduler(CronScheduler):
    """RQ's cron scheduler loaded from the Registry's report schedules, with a leader lock.

    ``tick()`` is one round (tests drive it with a fixed ``clock``); ``run()`` loops.
    """

    def __init__(self, connection: Redis, registry: Registry, *, clock: Clock = utc_now,
                 queue_name: str = "default", name: str = "") -> None:
        super().__init__(connection=connection, name=name)
        self.clock = clock
        self.queue_name = queue_name
        self.leader = False
        self.load(registry)

    def load(self, registry: Registry) -> None:
        """(Re)register the schedules of ``registry`` (a newly published config)."""
        self._cron_jobs = []
        for report in registry.reports:
            if report.schedule is not None:
                self.register_report(report)

    def register_report(self, report: Report) -> ZonedCronJob:
        assert report.schedule is not None
        job = ZonedCronJob(queue_name=self.queue_name, func=fan_out, args=(report.name,),
                           cron=report.schedule.cron, zone=ZoneInfo(report.schedule.timezone),
                           clock=self.clock, name=f"leadloom.report.{report.name}",
                           job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL)
        self._cron_jobs.append(job)
        return job

    # ---- the leader lock ---------------------------------------------------------------
    def holder(self) -> str | None:
        value = self.connection.get(LOCK_KEY)
        return value.decode() if isinstance(value, bytes) else value

    def acquire(self) -> bool:
        """Take the lock, or renew it if this scheduler holds it."""
        if self.connection.set(LOCK_KEY, self.name, nx=True, ex=LOCK_TTL):
            self.leader = True
            return True
        self.leader = self._if_mine(lambda pipe: pipe.expire(LOCK_KEY, LOCK_TTL))
        return self.leader

    def release(self) -> None:
        if self.leader:
            self._if_mine(lambda pipe: pipe.delete(LOCK_KEY))
        self.leader = False

    def _if_mine(self, action: Callable[[Any], Any]) -> bool:
        with self.connection.pipeline() as pipe:
            try:
                pipe.watch(LOCK_KEY)  # type: ignore[no-untyped-call]
                value = pipe.get(LOCK_KEY)
                if (value.decode() if isinstance(value, bytes) else value) != self.name:
                    pipe.unwatch()
                    return False
                pipe.multi()
                action(pipe)
                pipe.execute()
                return True
            except WatchError:
                return False

    # ---- rounds ------------------------------------------------------------------------
    def tick(self) -> list[Job]:
        """One round: hold the lock, then queue every report that is due (once)."""
        if not self.acquire():
            return []
        queued = []
        for job in self._cron_jobs:
            if job.should_run():
                found = job.enqueue_slot(self.connection)  # type: ignore[attr-defined]
                if found is not None:
                    queued.append(found)
                job.set_enqueue_time(self.clock())
        if queued:
            self.save()
        return queued

    def run(self, stop: threading.Event | None = None, poll: float = 5.0,
            reload: Callable[[], Registry | None] | None = None) -> None:
        """Loop until ``stop`` is set. ``reload`` returns a newer registry, if any, whose
        schedules then replace the current ones (checked about every half minute)."""
        stop = stop or threading.Event()
        self.register_birth()
        waiting = False
        checked = time.monotonic()
        try:
            while not stop.is_set():
                if reload is not None and time.monotonic() - checked > RELOAD_EVERY:
                    checked = time.monotonic()
                    self._reload(reload)
                queued = self.tick()
                if not self.leader and not waiting:
                    log.warning("another scheduler (%s) is active; waiting to take over",
                                self.holder())
                elif self.leader and waiting:
                    log.warning("scheduler %s took over", self.name)
                waiting = not self.leader
                for job in queued:
                    log.info("queued %s (%s)", job.description, job.id)
                self.heartbeat()
                stop.wait(min(poll, max(0.5, self._until_next())))
        finally:
            self.release()
            self.register_death()

    def _reload(self, reload: Callable[[], Registry | None]) -> None:
        try:
            fresh = reload()
        except Exception:  # keep the schedules we have; try again later
            log.exception("could not load the newly published config")
            return
        if fresh is not None:
            self.load(fresh)
            log.warning("config version %s: %d report schedules", fresh.version,
                        len(self._cron_jobs))

    def _until_next(self) -> float:
        times = [j.next_enqueue_time for j in self._cron_jobs if j.next_enqueue_time]
        if not times:
            return 60.0
        return max(0.0, (min(times) - self.clock()).total_seconds())
