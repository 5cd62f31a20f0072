"""Schedules run by themselves, each slot once, with real processes on one database:

- embedded: two ``leadloom serve`` processes without Redis (each runs the schedules in a
  background thread); then one comes back after both were down and catches up the latest
  missed slot of each rule, and no other;
- Redis: two ``leadloom scheduler`` processes and two ``leadloom worker`` processes
  (``rq worker --with-scheduler``).

Every process runs on one shared fast clock (``LEADLOOM_CLOCK``: a minute per second),
starting Monday 5 January 2026 before 08:30 in Shanghai, so the run crosses the SLA
slots (every 15 minutes), the digest and stale slots (08:30), and the tasks and weekly
report slots (09:00).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from leadloom.model.schedules import SCHEDULE_RUN_TABLE
from tests.helpers import CONFIG

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SPEED = 60
RAN = re.compile(r"schedule (\S+) slot (\S+) ran in process (\d+)")

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # its own database on the server


def at(hour: int, minute: int) -> dt.datetime:
    """Monday 5 January 2026, ``hour:minute`` in Shanghai, as UTC."""
    return dt.datetime(2026, 1, 5, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)


class FastClock:
    """The ``LEADLOOM_CLOCK`` of a test: fake time ``start`` at real time ``real``."""

    def __init__(self, start: dt.datetime, lead_seconds: float, speed: float = SPEED) -> None:
        self.start = start
        self.speed = speed
        self.real = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead_seconds)

    @property
    def env(self) -> str:
        return f"{self.start.isoformat()},{self.speed},{self.real.isoformat()}"

    def now(self) -> dt.datetime:
        return self.start + (dt.datetime.now(dt.UTC) - self.real) * self.speed

    def wait_until(self, moment: dt.datetime) -> None:
        time.sleep(max(0.0, (moment - self.now()).total_seconds() / self.speed))


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database of this test's own (PostgreSQL when the tests have a server)."""
    server = os.environ.get("LEADLOOM_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'schedules.db'}"
        return
    name = f"leadloom_test_schedules_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Process:
    """``python -m leadloom ARGS`` in its own session, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "leadloom", *args], env={**os.environ, **env},
            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            assert self.process.poll() is None, f"exited: {self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"timed out: {what}\n{self.log.read_text()}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def runs(self) -> list[tuple[str, str]]:
        """(rule, slot) of each schedule run this process logged."""
        return [(rule, slot) for rule, slot, _ in RAN.findall(self.log.read_text())]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def migrated(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The processes' environment, once the database is migrated."""
    env = {"LEADLOOM_CONFIG_DIR": str(CONFIG), "LEADLOOM_DATABASE_URL": database_url,
           "LEADLOOM_SECRET_KEY": "s" * 48, "LEADLOOM_REPORTS_DIR": str(tmp_path / "reports"),
           "LEADLOOM_REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-m", "leadloom", "migrate"],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def serve(env: dict[str, str], logs: Path, *names: str) -> list[Process]:
    """``leadloom serve`` processes, each started once the one before answers (two
    starting at once on a fresh database race for its seed rows)."""
    processes: list[Process] = []
    try:
        for name in names:
            port = _free_port()
            processes.append(Process(["serve", "--port", str(port)], env,
                                     logs / f"{name}.log"))
            processes[-1].wait_until(lambda p=port: _answers(p), "web process answering")
    except BaseException:
        for process in processes:
            process.stop()
        raise
    return processes


def slot_rows(database_url: str) -> list[dict[str, object]]:
    engine = sa.create_engine(database_url)
    table = sa.Table(SCHEDULE_RUN_TABLE, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
    engine.dispose()
    return rows


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def test_two_web_processes_run_each_slot_once_and_a_restart_catches_up(database_url,
                                                                       tmp_path):
    env = migrated(database_url, tmp_path)
    clock = FastClock(at(8, 25), lead_seconds=60)  # processes start near 07:25–08:10
    env = {**env, "LEADLOOM_CLOCK": clock.env}
    web = serve(env, tmp_path, "web0", "web1")
    try:
        assert clock.now() < at(8, 29), "start-up took too long for the fast clock"
        clock.wait_until(at(9, 1) + dt.timedelta(seconds=30))
    finally:
        for process in web:
            process.stop()
    runs = Counter(run for process in web for run in process.runs())
    assert [run for run, count in runs.items() if count > 1] == []
    wanted = {("leads.sla", iso(at(8, 30))), ("leads.sla", iso(at(8, 45))),
              ("leads.sla", iso(at(9, 0))), ("leads.digest", iso(at(8, 30))),
              ("leads.stale", iso(at(8, 30))), ("leads.tasks", iso(at(9, 0))),
              ("report.weekly_funnel", iso(at(9, 0)))}
    assert wanted <= set(runs)
    done = {(r["rule"], iso(r["slot"].replace(tzinfo=dt.UTC))) for r in slot_rows(database_url)
            if r["outcome"] == "done"}
    assert set(runs) == done  # every claimed slot ran, in the process that claimed it

    # both down through 09:15, 09:30 and 09:45; one comes back at 09:50 (real speed)
    back_clock = FastClock(at(9, 50), lead_seconds=0, speed=1)
    [back] = serve({**env, "LEADLOOM_CLOCK": back_clock.env}, tmp_path, "back")
    try:
        back.wait_until(lambda: ("leads.sla", iso(at(9, 45))) in back.runs(), "catch-up",
                        timeout=60)
        time.sleep(3)  # a few more rounds: nothing else is due
    finally:
        back.stop()
    assert back_clock.now() < at(10, 0)
    assert back.runs() == [("leads.sla", iso(at(9, 45)))]  # not 09:15, 09:30; nothing twice


@pytest.fixture
def redis_url() -> Iterator[str]:
    from tests.helpers import REDIS_SERVER, claimed_redis_db

    yield from claimed_redis_db(REDIS_SERVER, range(15, 7, -1))


def test_two_schedulers_and_two_workers_on_redis_run_each_slot_once(database_url,
                                                                    redis_url, tmp_path):
    env = migrated(database_url, tmp_path)
    clock = FastClock(at(8, 25), lead_seconds=40)
    env = {**env, "LEADLOOM_CLOCK": clock.env, "LEADLOOM_REDIS_URL": redis_url}
    redis = Redis.from_url(redis_url)
    processes = [Process(["scheduler", "--poll", "0.2"], env, tmp_path / f"sched{i}.log")
                 for i in range(2)]
    processes += [Process(["worker", "--name", f"schedules-{i}-{uuid.uuid4().hex[:6]}"], env,
                          tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        for process in processes:
            process.wait_until(lambda p=process: p.log.stat().st_size > 0, "started")
        assert clock.now() < at(8, 29), "start-up took too long for the fast clock"
        clock.wait_until(at(9, 1) + dt.timedelta(seconds=30))
        time.sleep(3)  # the last jobs finish
    finally:
        for process in processes:
            process.stop()
    queue = Queue("default", connection=redis)
    ids = {*FinishedJobRegistry(queue=queue).get_job_ids(),
           *FailedJobRegistry(queue=queue).get_job_ids(),
           *StartedJobRegistry(queue=queue).get_job_ids(), *queue.job_ids}
    jobs = [j for j in Job.fetch_many(list(ids), connection=redis) if j is not None]
    runs = Counter((f"leads.{j.args[0]}", j.args[1]) for j in jobs
                   if j.func_name.endswith("run_lead_rule"))
    assert [run for run, count in runs.items() if count > 1] == []
    wanted = {("leads.sla", iso(at(8, 30))), ("leads.sla", iso(at(8, 45))),
              ("leads.sla", iso(at(9, 0))), ("leads.digest", iso(at(8, 30))),
              ("leads.stale", iso(at(8, 30))), ("leads.tasks", iso(at(9, 0)))}
    assert wanted <= set(runs)
    workers = {j.worker_name for j in jobs if j.func_name.endswith("run_lead_rule")}
    assert workers and workers <= {p.process.args[-1] for p in processes[2:]}  # type: ignore[index]
    outcomes = {(r["rule"], iso(r["slot"].replace(tzinfo=dt.UTC))): r["outcome"]
                for r in slot_rows(database_url)}
    assert all(outcomes[run] == "done" for run in wanted)
