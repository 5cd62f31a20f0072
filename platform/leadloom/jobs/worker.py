"""Workers: a forking RQ worker with WeasyPrint, fonts and the runtime loaded before it
forks, and a thread-safe simple worker for the embedded mode.

``leadloom worker`` uses ``ReportWorker``; ``rq worker -w leadloom.jobs.worker.ReportWorker``
works too. A missing CJK font stops the worker at start (``MissingFont``).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from redis import Redis
from redis.exceptions import WatchError
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import SchedulerNotFound
from rq.job import Job
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from leadloom.jobs.runtime import Runtime, build_runtime, current_runtime, refreshed, use_runtime
from leadloom.jobs.slots import alive
from leadloom.reporting.fonts import harfbuzz_subset, require_cjk_font
from leadloom.reporting.render import warm_up
from leadloom.settings import Settings

log = logging.getLogger(__name__)


def preload(settings: Settings | None = None) -> Runtime:
    """Check fonts, load WeasyPrint (one warm-up page) and build the runtime.

    :raises MissingFont: no CJK font is installed.
    :raises ConfigInvalid: the config has errors.
    """
    family = require_cjk_font()
    harfbuzz_subset()
    seconds = warm_up()
    runtime = build_runtime(settings or Settings.from_env())
    use_runtime(runtime)
    log.info("reports ready: font %s, WeasyPrint warm in %.2f s, %d reports declared",
             family, seconds, len(runtime.env.registry.reports))
    return runtime


#: seconds an idle worker blocks waiting for a job before it looks around again (RQ derives
#: it from ``worker_ttl``: ``worker_ttl - 15``; RQ's default is 405 s)
DEQUEUE_TIMEOUT = 10
#: least seconds between two clean-ups of RQ's registries by one worker (RQ's: 600 s)
MAINTENANCE_INTERVAL = 10


class ReportWorker(Worker):
    """A forking worker whose parent has already paid for WeasyPrint and fontconfig, so
    each forked job starts warm.

    A job whose worker and work horse were both killed stays "started" until its heartbeat
    runs out and a live worker's registry clean-up finds it abandoned and retries it. RQ's
    defaults make that up to about seven minutes: the heartbeat lasts a minute past the
    check of the job, and an idle worker cleans up only between two 405 s waits for a job.
    Here the heartbeat outlives a check of the job (``job_monitoring_interval``, 10 s by
    default) by 5 s, and an idle worker waits ``DEQUEUE_TIMEOUT`` and cleans up at least
    every ``MAINTENANCE_INTERVAL`` seconds: such a job is retried within about 50 s
    (heartbeat 25 s + clean-up 10 s + the first retry's 5 s backoff + the render).
    """

    def __init__(self, *args: Any, settings: Settings | None = None, **kwargs: Any) -> None:
        preload(settings)  # first: a missing font stops the worker before it registers
        kwargs.setdefault("job_monitoring_interval", 10)
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        kwargs.setdefault("worker_ttl", DEQUEUE_TIMEOUT + 15)
        super().__init__(*args, **kwargs)
        self._free_dead_scheduler_locks()

    def run_maintenance_tasks(self) -> None:
        """First free a dead scheduler's lock, so this worker's scheduler (which RQ starts
        here if it holds no lock) moves retries of abandoned jobs back onto the queue."""
        self._free_dead_scheduler_locks()
        super().run_maintenance_tasks()

    def _free_dead_scheduler_locks(self) -> None:
        freed = free_dead_scheduler_locks(self.connection, [q.name for q in self.queues])
        if freed:
            log.warning("freed the scheduler lock of a dead worker on this host: %s",
                        ", ".join(freed))

    def get_heartbeat_ttl(self, job: Job) -> int:
        limit = 2 * int(self.job_monitoring_interval) + 5
        return min(int(super().get_heartbeat_ttl(job)), limit)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Pick up a newly published config version before forking the job."""
        refreshed(current_runtime())
        super().execute_job(job, queue)


def free_dead_scheduler_locks(connection: Redis, queues: list[str]) -> list[str]:
    """Release RQ scheduler locks held by a scheduler process that died on this host.

    A worker killed outright leaves its scheduler's lock for a minute; until then no
    worker moves retries whose backoff has passed back onto the queue. A restarted worker
    on the same host can tell the holder is gone and free the lock at once.
    """
    host = socket.gethostname()
    freed = []
    for queue in queues:
        key = RQScheduler.get_locking_key(queue)
        holder = connection.get(key)
        if not holder:
            continue
        try:
            name = holder.decode() if isinstance(holder, bytes) else str(holder)
            scheduler = RQScheduler.fetch(name, connection)
        except SchedulerNotFound:
            continue
        if scheduler.hostname == host and scheduler.pid and not alive(scheduler.pid):
            with connection.pipeline() as pipe:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    if pipe.get(key) == holder:
                        pipe.multi()
                        pipe.delete(key)
                        pipe.execute()
                        freed.append(queue)
                except WatchError:
                    pass
    return freed


class ThreadSafeSimpleWorker(SimpleWorker):
    """Runs jobs in the calling thread: no signals (only the main thread may set them) and
    a timer instead of SIGALRM for job timeouts."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass
