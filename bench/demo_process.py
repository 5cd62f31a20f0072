"""``leadloom demo-data`` as a user runs it: a process on a fresh PostgreSQL database,
start-up included, against the same command of another source tree in the same run.

For each ``--leads`` size and each of ``--repeat`` rounds, this tree's command and (with
``--baseline PATH``, e.g. a ``git worktree`` of main) the baseline's run one after the
other, each into a database of its own made anew; printed per run: wall seconds, the
process's CPU seconds (its planner child included) and the server's statement time for
that database (``pg_stat_database.active_time``), with the load. Then the medians, the
ratios to the baseline and the Targets line (``demo_data[N]``, this tree's median wall).
The machine is shared: CPU and server seconds compare better than wall seconds.

    PYTHONPATH=platform python -m bench.demo_process --leads 1000 10000 \\
        --baseline /tmp/main-worktree --repeat 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench.demo_rate import SERVER, STATS_DELAY, server_figures
from bench.figures import load, target_line
from bench.http_load import ROOT
from bench.rest_list import database_url, drop


@dataclass(frozen=True, slots=True)
class Run:
    wall: float
    cpu: float
    server: float


def run_once(tree: Path, url: str, leads: int) -> Run:
    """``leadloom demo-data --leads N`` of ``tree`` into ``url`` (made anew)."""
    drop(url)
    admin = sa.create_engine(sa.make_url(url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{sa.make_url(url).database}"'))
    admin.dispose()
    env = {**os.environ, "PYTHONPATH": str(tree / "platform"),
           "LEADLOOM_DATABASE_URL": url, "LEADLOOM_CONFIG_DIR": str(tree / "config")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled modules are kept
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leadloom", "demo-data", "--leads", str(leads)],
                   check=True, cwd=tree, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(STATS_DELAY)
    server = server_figures(url, sa.make_url(url).database or "")["active_ms"] / 1000
    drop(url)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(wall, cpu, server)


def _line(label: str, run: Run) -> str:
    return (f"  {label:<15} {run.wall:7.2f} s wall {run.cpu:7.2f} s CPU "
            f"{run.server:7.2f} s server  load {load()}")


def _median(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f) for r in runs)
                 for f in ("wall", "cpu", "server")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--baseline", type=Path, help="another source tree (same config)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database-url", default=SERVER, help="a PostgreSQL server")
    parser.add_argument("--name", default="leadloom_bench_demo_process")
    args = parser.parse_args(argv)
    trees = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    print(f"before: load {load()}")
    for leads in args.leads:
        runs: dict[str, list[Run]] = {label: [] for label in trees}
        for round_ in range(args.repeat):
            print(f"demo-data --leads {leads:,}, round {round_ + 1}:")
            for label, tree in trees.items():
                url = database_url(args.database_url, leads, f"{args.name}_{label}")
                runs[label].append(run_once(tree, url, leads))
                print(_line(label, runs[label][-1]), flush=True)
        medians = {label: _median(found) for label, found in runs.items()}
        for label, median in medians.items():
            print(_line(f"median {label}", median))
        if "baseline" in medians:
            this, base = medians["this"], medians["baseline"]
            print(f"  this / baseline: wall {this.wall / base.wall:.2f}x, "
                  f"CPU {this.cpu / base.cpu:.2f}x, server {this.server / base.server:.2f}x")
        print(target_line(f"demo_data[{leads}]", medians["this"].wall, "s"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
