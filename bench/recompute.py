"""Benchmark the recompute of the open leads after a calendar change: rows a second, and
the read latency of a list page while it runs, as a ratio to the same page idle.

N open leads (30,000) are built as ``bench/tick.py`` builds them (owned by the demo reps
of both units, assigned two days ago), on a copy of the default config whose first-touch
preset counts working days (``uniform_3wd``), so a holiday moves every deadline. A first
recompute brings them to the rules (they were built with the rules off; its time is
printed too). Then a holiday is added on the day their deadlines fall on and
``leadloom publish`` runs as its own process, the way an admin publishes: it publishes
the version and recomputes the open leads in batches. Meanwhile this process requests
the lead list (``/lead/list/`` as sup1, through the Flask test client) over and over.

Printed: the run's leads checked and changed, its seconds (the run row's start and end)
and rows a second; the list page's median and p95 idle (before the publish) and during
the run (requests that started and ended inside it), and the ratio of the medians; the
machine's load. Run from the repository root::

    PYTHONPATH=platform python -m bench.recompute --leads 30000 \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres

With ``--database-url`` a fresh database is created next to the one named and dropped
after the run (PostgreSQL); without it, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench.figures import load, p95, target_line
from bench.http_load import ROOT
from bench.pages import login
from bench.tick import CONFIG, PASSWORD, build, database, system
from leadloom.model.leads import RECOMPUTE_TABLE
from leadloom.records.leads.recompute import recompute
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

LIST = "/lead/list/"
READER = "sup1"


def bench_config(folder: Path) -> Path:
    """The default config with the first touch due in 3 working days for every unit."""
    shutil.copytree(CONFIG, folder)
    leads = folder / "leads.yaml"
    text = leads.read_text(encoding="utf-8")
    leads.write_text(text.replace("    preset: by_grade\n", "    preset: uniform_3wd\n", 1),
                     encoding="utf-8")
    return folder


def add_holiday(folder: Path, day: dt.date) -> None:
    leads = folder / "leads.yaml"
    text = leads.read_text(encoding="utf-8")
    leads.write_text(text.replace("  holidays: []", f'  holidays: ["{day.isoformat()}"]', 1),
                     encoding="utf-8")


def first_run(app: Flask) -> tuple[float, int]:
    """Seconds of the recompute that brings the built leads to the rules, leads changed."""
    with app.app_context():
        started = time.perf_counter()
        run = recompute(system("job"))
        return time.perf_counter() - started, run.changed if run else 0


def due_day(app: Flask) -> dt.date:
    """The local day most first-touch deadlines fall on (the holiday to add)."""
    with app.app_context():
        lead = state().models.cls("lead").__table__
        due = state().db.session.scalar(
            sa.select(lead.c.first_touch_due_at).group_by(lead.c.first_touch_due_at)
            .order_by(sa.func.count().desc()).limit(1))
        return state().registry.lead_rules.base.calendar.local_date(due)


def timed_reads(client: FlaskClient, until: subprocess.Popen[str] | None, count: int
                ) -> list[tuple[dt.datetime, dt.datetime, float]]:
    """Requests of the list page, each (start, end in UTC, seconds): ``count`` of them, or
    as many as fit while ``until`` runs."""
    found = []
    while (until.poll() is None) if until is not None else len(found) < count:
        began, started = _utc(), time.perf_counter()
        answer = client.get(LIST)
        if answer.status_code != 200:
            raise SystemExit(f"GET {LIST}: HTTP {answer.status_code}")
        found.append((began, _utc(), time.perf_counter() - started))
    return found


def _utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def publish(folder: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LEADLOOM_CONFIG_DIR": str(folder), "LEADLOOM_DATABASE_URL": url,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-m", "leadloom", "publish", "-m", "holiday"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def last_run(url: str) -> sa.Row[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            table = sa.Table(RECOMPUTE_TABLE, sa.MetaData(), autoload_with=conn)
            return conn.execute(sa.select(table).order_by(table.c.version.desc())
                                .limit(1)).one()
    finally:
        engine.dispose()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=30_000)
    parser.add_argument("--reads", type=int, default=40,
                        help="list requests timed idle, before the publish")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    now = _utc().replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp, \
            database(args.database_url) as url:
        folder = bench_config(Path(tmp) / "config")
        app = create_app(Settings(config_dir=folder, database_url=url), testing=True)
        kind = sa.make_url(url).get_backend_name()
        print(f"{args.leads} open leads, {kind}, first touch in 3 working days")
        print(f"built in {build(app, args.leads, now, 0.0):.1f} s (load {load()})")
        seconds, changed = first_run(app)
        print(f"first recompute (built leads to the rules): {seconds:.1f} s, {changed} changed")
        holiday = due_day(app)
        add_holiday(folder, holiday)
        client = login(app, READER, PASSWORD)
        timed_reads(client, None, 3)  # warm-up
        idle = [s for *_, s in timed_reads(client, None, args.reads)]
        process = publish(folder, url)
        reads = timed_reads(client, process, 0)
        output = process.communicate()[0]
        if process.returncode:
            raise SystemExit(f"leadloom publish failed:\n{output}")
        run = last_run(url)
        with app.app_context():
            state().db.session.remove()
            state().db.engine.dispose()
    report(args.leads, holiday, run, idle, reads)
    return 0


def report(leads: int, holiday: dt.date, run: sa.Row[tuple[object, ...]], idle: list[float],
           reads: list[tuple[dt.datetime, dt.datetime, float]]) -> None:
    took = (run.finished_at - run.started_at).total_seconds()  # type: ignore[operator]
    during = [s for began, ended, s in reads if began >= run.started_at and (
        ended <= run.finished_at)]  # type: ignore[operator]
    rate = run.checked / took if took else float("nan")  # type: ignore[operator]
    print(f"holiday {holiday}: recompute of v{run.version} {run.state}: {run.checked} checked, "
          f"{run.changed} changed, deadlines {run.due_changed} in {took:.1f} s = "
          f"{rate:,.0f} rows/s (load {load()})")
    idle_p50 = statistics.median(idle)
    print(f"list page idle:   p50 {idle_p50 * 1000:.1f} ms, p95 {p95(idle) * 1000:.1f} ms "
          f"({len(idle)} requests)")
    if not during:
        print("list page during the run: no request fit inside it (too few leads)")
        print(target_line(f"recompute_rows_per_s[{leads}]", rate, "rows/s"))
        return
    during_p50 = statistics.median(during)
    print(f"list page during: p50 {during_p50 * 1000:.1f} ms, p95 {p95(during) * 1000:.1f} ms "
          f"({len(during)} requests); ratio p50 during / idle {during_p50 / idle_p50:.2f}x")
    print(target_line(f"recompute_rows_per_s[{leads}]", rate, "rows/s"))
    print(target_line(f"recompute_read_ratio[{leads}]", during_p50 / idle_p50, "x"))


if __name__ == "__main__":
    sys.exit(main())
