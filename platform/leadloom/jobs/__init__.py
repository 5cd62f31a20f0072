"""Background jobs on RQ: report and lead-rule tasks, queueing (Redis or embedded),
workers and the scheduler of the config's schedules. No Flask: the web layer and the CLI
call in."""

from __future__ import annotations

from leadloom.jobs.errors import JobError as JobError
from leadloom.jobs.errors import NoRedis as NoRedis
from leadloom.jobs.queue import JobQueue as JobQueue
from leadloom.jobs.queue import JobState as JobState
from leadloom.jobs.runtime import Runtime as Runtime
from leadloom.jobs.runtime import build_runtime as build_runtime
from leadloom.jobs.runtime import runtime_for as runtime_for
from leadloom.jobs.runtime import use_runtime as use_runtime
from leadloom.jobs.scheduler import Scheduler as Scheduler
from leadloom.jobs.slots import SlotClaims as SlotClaims
from leadloom.jobs.worker import ReportWorker as ReportWorker
from leadloom.jobs.worker import preload as preload
