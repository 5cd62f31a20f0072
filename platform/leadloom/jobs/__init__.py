"""Background jobs on RQ: report tasks, queueing (Redis or embedded), workers and the
report scheduler. No Flask: the web layer and the CLI call in."""

from __future__ import annotations

from leadloom.jobs.errors import JobError as JobError
from leadloom.jobs.errors import NoRedis as NoRedis
from leadloom.jobs.queue import JobQueue as JobQueue
from leadloom.jobs.queue import JobState as JobState
from leadloom.jobs.runtime import Runtime as Runtime
from leadloom.jobs.runtime import build_runtime as build_runtime
from leadloom.jobs.runtime import runtime_for as runtime_for
from leadloom.jobs.runtime import use_runtime as use_runtime
from leadloom.jobs.scheduler import ReportScheduler as ReportScheduler
from leadloom.jobs.worker import ReportWorker as ReportWorker
from leadloom.jobs.worker import preload as preload
