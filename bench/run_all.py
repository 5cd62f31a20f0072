"""Run every benchmark at the given sizes and print the issue's Targets table.

Each registered script runs as a process (``python -m bench.<name> ...``, its output shown
as it comes); the ``TARGET name[size]=value unit load=...`` lines it prints
(``bench/figures.py``) are matched with ``GOALS`` into one table: measure, size, figure,
goal, ok/over, and the load when it was measured. A script that is not there (yet) is
listed as such. To register a benchmark, add a line to ``BENCHES`` (and its goal to
``GOALS``). Run from the repository root::

    PYTHONPATH=platform python -m bench.run_all --leads 10000 100000

``--reuse`` keeps the data of an earlier run (``leadloom demo-data`` takes minutes at
100k today); ``--quick`` runs each script in its smallest mode (the smoke test's).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.figures import TARGET_PREFIX
from bench.http_load import ROOT
from bench.rest_list import SERVER

TARGET = re.compile(rf"^{TARGET_PREFIX}(\w+)(?:\[([^\]]*)\])?=(\S+) (\S+) load=(\S+)$")


@dataclass(frozen=True, slots=True)
class Goal:
    """A row of the Targets table: at most ``limit`` (one per size when a mapping; None:
    a figure without a goal)."""

    key: str
    measure: str
    limit: float | Mapping[int, float] | None
    unit: str

    def limit_at(self, size: str) -> float | None:
        if isinstance(self.limit, Mapping):
            return self.limit.get(int(size)) if size.isdigit() else None
        return self.limit


@dataclass(frozen=True, slots=True)
class Bench:
    """A script (``bench/<name>.py``) and its arguments: ``{sizes}`` (all), ``{largest}``,
    ``{url}`` are filled in; ``quick`` is added in the smallest mode."""

    name: str
    args: tuple[str, ...]
    quick: tuple[str, ...] = ()
    reuse: tuple[str, ...] = field(default=("--reuse",))


GOALS = (
    Goal("rest_p95_single", "REST list filtered+sorted, page 50: p95, 1 client", 150, "ms"),
    Goal("rest_p95_concurrent", "REST list: p95, 8 clients (gunicorn 2 workers)", 400, "ms"),
    Goal("list_p50_growth", "REST list p50 at the largest size / at the smallest", 1.5, "x"),
    Goal("rest_vs_raw_sql", "REST list / raw SQL of the same page (p50)", 1.3, "x"),
    Goal("rest_vs_plain_fab", "REST list / plain FAB ModelRestApi (p50)", 1.0, "x"),
    Goal("tick_nightly", "nightly periodic rules (26k reclaims at 100k)", 30, "s"),
    Goal("bulk_vs_executemany", "bulk create with all rules / plain executemany", 10, "x"),
    Goal("import_vs_executemany", "import of an XLSX list, all rules / plain executemany", 10,
         "x"),
    Goal("import_seconds", "import of the largest size's XLSX list", {10_000: 60}, "s"),
    Goal("demo_data", "leadloom demo-data",
         {1_000: 3, 10_000: 15, 100_000: 120, 1_000_000: 1200}, "s"),
    Goal("publish_field_flag", "publish: a new field + a filter flag", None, "s"),
    Goal("publish_grading", "publish: a grading change + re-grading", None, "s"),
    Goal("recompute_rows_per_s", "recompute after a calendar change: rows/s", None, "rows/s"),
    Goal("recompute_read_ratio", "list page p50 during the recompute / idle", None, "x"),
)

BENCHES = (
    Bench("rest_list", ("--leads", "{sizes}", "--database-url", "{url}"),
          quick=("--workers", "1", "--clients", "2", "--requests", "3",
                 "--requests-each", "2")),
    # on rest_list's data for the largest size (a copy)
    Bench("publish", ("--leads", "{largest}", "--database-url", "{url}", "--reuse"),
          quick=("--no-dry-run",), reuse=()),
    # the other benchmarks of issue #11, run when they are there
    Bench("tick", ("--leads", "{largest}", "--database-url", "{url}"), reuse=()),
    Bench("bulk_write", ("--leads", "{largest}", "--database-url", "{url}"), reuse=()),
    # issue #13: an XLSX list through leadloom.imports
    Bench("import", ("--leads", "{largest}", "--database-url", "{url}"), quick=("--quick",),
          reuse=()),
    # issue #12: 30k open leads whatever the sizes
    Bench("recompute", ("--leads", "30000", "--database-url", "{url}"),
          quick=("--leads", "40", "--reads", "3"), reuse=()),
)


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    size: str
    value: float
    unit: str
    load: str


def command(bench: Bench, sizes: list[int], url: str, *, reuse: bool,
            quick: bool) -> list[str]:
    args: list[str] = []
    for arg in bench.args:
        if arg == "{sizes}":
            args += [str(size) for size in sizes]
        else:
            args.append(arg.format(largest=max(sizes), url=url))
    return [sys.executable, "-m", f"bench.{bench.name}", *args,
            *(bench.reuse if reuse else ()), *(bench.quick if quick else ())]


def run(bench: Bench, argv: list[str]) -> tuple[int, list[Figure]]:
    """Run one script, echoing its output; its exit code and TARGET figures."""
    print(f"\n=== bench/{bench.name}.py: {' '.join(argv[3:])}", flush=True)
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    figures = []
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)
        found = TARGET.match(line.rstrip("\n"))
        if found:
            key, size, value, unit, load = found.groups()
            figures.append(Figure(key, size or "", float(value), unit, load))
    return process.wait(), figures


def table(figures: list[Figure], missing: list[str], failed: list[str]) -> str:
    lines = [f"{'measure':<58}{'size':>16}{'figure':>12}{'goal':>12}  {'':<5} load 1/5/15"]
    by_key = {g.key: g for g in GOALS}
    for goal in GOALS:
        for figure in (f for f in figures if f.key == goal.key):
            limit = goal.limit_at(figure.size)
            verdict = "" if limit is None else ("ok" if figure.value <= limit else "OVER")
            goal_text = "-" if limit is None else f"<= {limit:g} {goal.unit}"
            lines.append(f"{goal.measure:<58}{figure.size:>16}"
                         f"{figure.value:>9.4g} {figure.unit:<2}{goal_text:>12}  "
                         f"{verdict:<5} {figure.load}")
        if not any(f.key == goal.key for f in figures):
            lines.append(f"{goal.measure:<58}{'':>16}{'not measured':>12}")
    lines += [f"(figure {f.key} has no goal in bench/run_all.py)" for f in figures
              if f.key not in by_key]
    lines += [f"(bench/{name}.py is not there yet)" for name in missing]
    lines += [f"(bench/{name}.py FAILED: see its output above)" for name in failed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=SERVER,
                        help="a PostgreSQL server (or a SQLite file name)")
    parser.add_argument("--reuse", action="store_true", help="reuse the data of a last run")
    parser.add_argument("--quick", action="store_true", help="each script's smallest mode")
    parser.add_argument("--only", action="append", choices=[b.name for b in BENCHES],
                        help="run only these (repeatable)")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    missing, failed = [], []
    for bench in BENCHES:
        if args.only and bench.name not in args.only:
            continue
        if importlib.util.find_spec(f"bench.{bench.name}") is None:
            missing.append(bench.name)
            continue
        code, found = run(bench, command(bench, args.leads, args.database_url,
                                         reuse=args.reuse, quick=args.quick))
        figures += found
        if code:
            failed.append(bench.name)
    print("\nTargets (issue #11): measured figure, goal, and the machine's load when measured")
    print(table(figures, missing, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
