"""The embedded mode: no Redis configured, so jobs (and, in ``leadloom serve``, the
config's schedules: lead rules and reports) run in a background thread of the web
process, on an in-process fakeredis, with the same job functions and the same retry
rules as real workers.

Several web processes on one database each run the schedules, and each slot still runs
once: the process that claims the slot's row in the database runs it. Set
``LEADLOOM_REDIS_URL`` and run ``leadloom worker`` / ``leadloom scheduler`` to scale out.
"""

from __future__ import annotations

import logging
import threading

import fakeredis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from rq.utils import current_timestamp

from leadloom.jobs.runtime import Runtime, use_runtime
from leadloom.jobs.scheduler import Scheduler
from leadloom.jobs.slots import SlotClaims
from leadloom.jobs.worker import ThreadSafeSimpleWorker

log = logging.getLogger(__name__)


class InlineJobs:
    """A fakeredis server and the thread that works its queue."""

    def __init__(self, runtime: Runtime, *, queue_name: str = "default",
                 poll: float = 0.5) -> None:
        self.runtime = runtime
        self.server = fakeredis.FakeServer()
        self.connection = fakeredis.FakeStrictRedis(server=self.server)
        self.queue = Queue(queue_name, connection=self.connection)
        self.poll = poll
        self.scheduler: Scheduler | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self, *, schedules: bool = False) -> None:
        """Start the thread (once); with ``schedules`` it also runs the config's schedules."""
        with self._lock:
            if schedules and self.scheduler is None:
                self.scheduler = self._scheduler(self.runtime)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="leadloom-jobs",
                                                daemon=True)
                self._thread.start()

    def set_runtime(self, runtime: Runtime) -> None:
        """Run later jobs (and schedules) on ``runtime``: a newly published config."""
        with self._lock:
            self.runtime = runtime
            if self.scheduler is not None:
                self.scheduler.release()
                self.scheduler = self._scheduler(runtime)

    def _scheduler(self, runtime: Runtime) -> Scheduler:
        return Scheduler(self.connection, runtime.env.registry,
                         SlotClaims(runtime.env.sessions, embedded=True),
                         queue_name=self.queue.name)

    def wake(self) -> None:
        """Work the queue now (starting the thread on first use)."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self._lock:
                    use_runtime(self.runtime)
                    scheduler = self.scheduler
                self._round(scheduler)
            except Exception:  # keep the thread alive; the job's own failure is recorded
                log.exception("embedded job round failed")
            self._wake.wait(self.poll)
            self._wake.clear()
        if self.scheduler is not None:
            self.scheduler.release()

    def _round(self, scheduler: Scheduler | None) -> None:
        if scheduler is not None:
            scheduler.tick()
        self._promote_due()
        if self.queue.count:
            worker = ThreadSafeSimpleWorker([self.queue], connection=self.connection)
            worker.work(burst=True, logging_level="WARNING")

    def _promote_due(self) -> None:
        """Move retries whose backoff has passed from the scheduled registry to the queue
        (what ``rq worker --with-scheduler`` does with real Redis)."""
        registry = ScheduledJobRegistry(queue=self.queue)  # type: ignore[no-untyped-call]
        due = registry.get_jobs_to_schedule(current_timestamp())
        for job in Job.fetch_many(due, connection=self.connection):
            if job is not None:
                self.queue._enqueue_job(job)
        for job_id in due:
            registry.remove(job_id)
