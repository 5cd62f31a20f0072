"""The schedules of the config on RQ's cron (``rq.cron.CronScheduler``): the lead rules'
periodic jobs (``config/leads.yaml``'s ``schedule:``, cron read in the app's time zone)
and the scheduled reports (each in its report's time zone).

Two safeguards keep a slot from running twice:

- a leader lock in Redis (``SET NX`` with a TTL, renewed on every tick): a second
  scheduler started by mistake waits, and takes over within ``LOCK_TTL`` seconds if the
  first one dies;
- the slot's row in the database (``slots.SlotClaims``): only the scheduler whose insert
  succeeds queues it, even two embedded web processes, each with its own in-process
  Redis and so each its own leader.

A slot missed while no scheduler ran (the process was down) is queued when one comes back:
the latest missed slot of each rule, not every one. A rule seen for the first time starts
with its next slot.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis
from redis.exceptions import WatchError
from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.job import Job

from leadloom.jobs.slots import ScheduledRule, SlotClaims
from leadloom.jobs.tasks import JOB_TIMEOUT, RESULT_TTL, fan_out, run_lead_rule
from leadloom.metadata.registry import Registry
from leadloom.records.leads import clock as lead_clock

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
LOCK_KEY = "leadloom:scheduler:lock"
LOCK_TTL = 30
RELOAD_EVERY = 30.0


def utc_now() -> dt.datetime:
    """The scheduler's time: the lead rules' clock (``LEADLOOM_CLOCK``), aware."""
    return lead_clock.now().replace(tzinfo=dt.UTC)


class ZonedCronJob(CronJob):
    """A cron job for one ``ScheduledRule``: its cron read in the rule's time zone (RQ's
    own reads it in UTC), its slots claimed in the database."""

    def __init__(self, *, rule: ScheduledRule, claims: SlotClaims, clock: Clock,
                 **kwargs: Any) -> None:
        self.rule = rule
        self.claims = claims
        self.clock = clock
        super().__init__(cron=rule.cron, name=f"leadloom.{rule.name}", **kwargs)
        #: the latest slot this process knows was claimed (by anyone)
        self.passed = self._known(clock())
        self.next_enqueue_time = rule.following(self.passed)

    def _known(self, now: dt.datetime) -> dt.datetime:
        """The latest claimed slot; a rule never seen before starts with its next slot
        (the last one is marked ``skipped``, so a later restart knows it was seen)."""
        last = self.claims.last_slot(self.rule.name)
        if last is not None:
            return last
        slot = self.rule.latest(now)
        self.claims.claim(self.rule.name, slot, outcome="skipped")
        return slot

    @property
    def zone(self) -> Any:
        return self.rule.zone

    def get_next_enqueue_time(self) -> dt.datetime:
        return self.rule.following(self.latest_enqueue_time or self.clock())

    def enqueue_due(self, connection: Redis, now: dt.datetime) -> Job | None:
        """Queue the latest slot at or before ``now`` if this process claims it: a slot
        missed while the process was down is caught up, older missed ones are not."""
        slot = self.rule.latest(now)
        if slot <= self.passed:
            return None
        claimed = self.claims.claim(self.rule.name, slot)
        self._pass(slot)
        if not claimed:
            return None
        assert self.func is not None
        queue = Queue(self.queue_name, connection=connection)
        job = queue.enqueue(self.func, *self.args, slot.isoformat(), **self.job_options)
        connection.zadd(self.job_history_key, {job.id: time.time()})
        self.set_enqueue_time(now)
        return job

    def _pass(self, slot: dt.datetime) -> None:
        self.passed = slot
        self.next_enqueue_time = self.rule.following(slot)


def scheduled_rules(registry: Registry) -> list[tuple[ScheduledRule, Callable[..., Any],
                                                      tuple[str, ...]]]:
    """Every cron line of ``registry`` with the job function it queues and its arguments."""
    found: list[tuple[ScheduledRule, Callable[..., Any], tuple[str, ...]]] = []
    if registry.lead_rules is not None:
        zone = ZoneInfo(registry.app.timezone)
        found += [(ScheduledRule(f"leads.{job}", cron, zone), run_lead_rule, (job,))
                  for job, cron in registry.lead_rules.schedule]
    found += [(ScheduledRule(f"report.{r.name}", r.schedule.cron,
                             ZoneInfo(r.schedule.timezone)), fan_out, (r.name,))
              for r in registry.reports if r.schedule is not None]
    return found


class Scheduler(CronScheduler):
    """RQ's cron scheduler loaded from the Registry's schedules, with a leader lock and
    the slots claimed in the database through ``claims``.

    ``tick()`` is one round (tests drive it with a fixed ``clock``); ``run()`` loops.
    """

    def __init__(self, connection: Redis, registry: Registry, claims: SlotClaims, *,
                 clock: Clock = utc_now, queue_name: str = "default", name: str = "") -> None:
        super().__init__(connection=connection, name=name)
        self.claims = claims
        self.clock = clock
        self.queue_name = queue_name
        self.leader = False
        self.load(registry)

    def load(self, registry: Registry) -> None:
        """(Re)register the schedules of ``registry`` (a newly published config)."""
        self._cron_jobs = [
            ZonedCronJob(queue_name=self.queue_name, func=func, args=args, rule=rule,
                         claims=self.claims, clock=self.clock, job_timeout=JOB_TIMEOUT,
                         result_ttl=RESULT_TTL)
            for rule, func, args in scheduled_rules(registry)]

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
        """One round: hold the lock, then queue each rule's due slot (once)."""
        if not self.acquire():
            return []
        now = self.clock()
        queued = []
        for job in self._cron_jobs:
            found = job.enqueue_due(self.connection, now)  # type: ignore[attr-defined]
            if found is not None:
                queued.append(found)
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
                try:
                    queued = self.tick()
                except Exception:  # the database or Redis is away: try again next round
                    log.exception("scheduler round failed")
                    queued = []
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
            log.warning("config version %s: %d schedules", fresh.version,
                        len(self._cron_jobs))

    def _until_next(self) -> float:
        times = [j.next_enqueue_time for j in self._cron_jobs if j.next_enqueue_time]
        if not times:
            return 60.0
        return max(0.0, (min(times) - self.clock()).total_seconds())
