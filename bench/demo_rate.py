"""The demo generator's rate as the data grows, and its cost split client / server.

``leadloom demo-data`` into a new PostgreSQL database, with the rate printed at every
``--step`` leads (leads/s over that step, and so far), then the cost of the whole run:
CPU seconds of this process and of the planner process (the client), the server's time
executing statements for that database (``pg_stat_database.active_time``), and the size
of the lead table. The machine is shared, so CPU and server seconds compare better
across runs than wall seconds; each line has the load beside it.

``--profile-from N --profile-leads M`` profiles the writer (cProfile) over the M leads
after the first N and prints its top functions: where a large run's time goes. And each
SQL statement's time (client side: round trip included; COPY streams are not in it) is
printed per step, in ms per 1,000 leads: the statements whose cost grows with the data.

    PYTHONPATH=platform python -m bench.demo_rate --leads 300000 --step 50000

The database (``--name``, on the ``--database-url`` server) is made anew and dropped at
the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bench.figures import load
from bench.http_load import ROOT
from leadloom.demo import generate_demo
from leadloom.settings import Settings
from leadloom.web.data_app import create_data_app
from leadloom.web.state import state

SERVER = "postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres"
#: seconds for the server to publish a closed session's statistics
STATS_DELAY = 1.5
#: statements printed with their cost per step
TOP_STATEMENTS = 14


class StatementClock:
    """Seconds per SQL statement text (literal lists folded), measured around the cursor."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seconds: Counter[str] = Counter()
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["demo_rate_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        started = conn.info.pop("demo_rate_started", None)
        if started is not None:
            key = re.sub(r"\s+", " ", re.sub(r"%\(\w+?\)s(, %\(\w+?\)s)+", "...",
                                             statement))[:110]
            self.seconds[key] += time.perf_counter() - started


@dataclass
class Curve:
    """Leads written at each ``step`` boundary and when; prints each step as it passes."""

    step: int
    started: float = field(default_factory=time.perf_counter)
    marks: list[tuple[int, float]] = field(default_factory=lambda: [(0, 0.0)])
    profiler: cProfile.Profile | None = None
    profile_window: tuple[int, int] = (0, 0)
    statements: StatementClock | None = None
    #: the statements' seconds so far, at each mark
    snapshots: list[Counter[str]] = field(default_factory=lambda: [Counter()])

    def __call__(self, written: int) -> None:
        self._profile(written)
        last, then = self.marks[-1]
        if written - last < self.step:
            return
        now = time.perf_counter() - self.started
        self.marks.append((written, now))
        if self.statements is not None:
            self.snapshots.append(self.statements.seconds.copy())
        print(f"  {written:>9,} leads  {(written - last) / (now - then):7,.0f} leads/s this "
              f"step  {written / now:7,.0f} so far  {now:7.1f} s  load {load()}", flush=True)

    def _profile(self, written: int) -> None:
        start, end = self.profile_window
        if end <= start:
            return
        if self.profiler is None and start <= written < end:
            self.profiler = cProfile.Profile()
            self.profiler.enable()
        elif self.profiler is not None and written >= end:
            self.profiler.disable()
            self.profile_window = (0, 0)


    def print_statements(self) -> None:
        """The costliest statements' ms per 1,000 leads in each step."""
        if self.statements is None or len(self.snapshots) < 2:
            return
        steps = list(zip(self.marks, self.marks[1:], strict=False))
        print("statement ms per 1,000 leads, by step (" + ", ".join(
            f"{end // 1000}k" for (_, _), (end, _) in steps) + "):")
        total = self.snapshots[-1]
        for key, _ in total.most_common(TOP_STATEMENTS):
            per_step = [(after[key] - before[key]) * 1e6 / (end - start)
                        for (before, after), ((start, _), (end, _)) in zip(
                            zip(self.snapshots, self.snapshots[1:], strict=False), steps,
                            strict=True)]
            print("  " + " ".join(f"{ms:7.1f}" for ms in per_step) + f"  {key}")


def server_figures(url: str, name: str) -> dict[str, float]:
    """The database's statement time (ms), commits and lead table size (MB)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT active_time, xact_commit, pg_total_relation_size('lead') / 1e6, "
                "pg_relation_size('lead') / 1e6 FROM pg_stat_database WHERE datname = :n"),
                {"n": name}).one()
    finally:
        engine.dispose()
    return {"active_ms": row[0], "commits": row[1], "lead_total_mb": row[2],
            "lead_heap_mb": row[3]}


def _database(server: str, name: str, *, create: bool) -> None:
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def run(url: str, name: str, args: argparse.Namespace) -> None:
    curve = Curve(args.step, profile_window=(args.profile_from,
                                             args.profile_from + args.profile_leads))
    print(f"before: load {load()}")
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    curve.started = time.perf_counter()
    app = create_data_app(Settings(config_dir=ROOT / "config", database_url=url),
                          testing=True)
    with app.app_context():
        curve.statements = StatementClock(state().db.engine)
        summary = generate_demo(app, leads=args.leads, seed=args.seed,
                                password="bench-password", progress=curve)
        state().db.engine.dispose()
    wall = time.perf_counter() - curve.started
    mine, planner = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    cpu = (mine.ru_utime + mine.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    print(summary)
    time.sleep(STATS_DELAY)
    server = server_figures(url, name)
    print(f"demo-data {args.leads:,} leads (app build included): {wall:.1f} s wall, "
          f"{args.leads / wall:,.0f} leads/s, load {load()}")
    print(f"client CPU: {cpu:.1f} s writer + {planner.ru_utime + planner.ru_stime:.1f} s "
          f"planner; server: {server['active_ms'] / 1000:.1f} s executing statements, "
          f"{server['commits']:,} commits")
    print(f"lead table: {server['lead_heap_mb']:.0f} MB heap, {server['lead_total_mb']:.0f} MB "
          "with indexes and TOAST")
    for phase, seconds in sorted(summary.phases, key=lambda p: -p[1]):
        print(f"  {phase:<12} {seconds:8.2f} s  {seconds / wall:6.1%}")
    curve.print_statements()
    if curve.profiler is not None:
        curve.profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(curve.profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.profile_rows)
        stats.sort_stats("tottime").print_stats(args.profile_rows)
        print(f"profile of the writer from lead {args.profile_from:,} on:\n{out.getvalue()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--step", type=int, default=100_000)
    parser.add_argument("--database-url", default=SERVER, help="a PostgreSQL server")
    parser.add_argument("--name", default="leadloom_bench_rate")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile-from", type=int, default=0)
    parser.add_argument("--profile-leads", type=int, default=0)
    parser.add_argument("--profile-rows", type=int, default=45)
    args = parser.parse_args(argv)
    url = sa.make_url(args.database_url).set(database=args.name).render_as_string(
        hide_password=False)
    _database(args.database_url, args.name, create=True)
    try:
        run(url, args.name, args)
    finally:
        if not args.keep:
            _database(args.database_url, args.name, create=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
