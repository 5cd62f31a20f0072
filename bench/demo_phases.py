"""Where ``leadloom demo-data`` spends its time: waiting for the planner (the pure
simulation, which runs a chunk ahead in its own process) against writing each entity
through ``records.bulk_create`` (with all its hooks) and loading the stage paths and
approvals, on SQLite or PostgreSQL.

Prints each phase's seconds and share of the run, leads/s, and the machine's load (it is
shared, so compare shares within one run rather than seconds across runs)::

    PYTHONPATH=platform python bench/demo_phases.py --leads 10000
    PYTHONPATH=platform python bench/demo_phases.py --leads 10000 \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/scratch

The database must be empty (a fresh SQLite file is made when no URL is given).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from leadloom.demo import generate_demo
from leadloom.demo.workdays import AS_OF, parse_as_of
from leadloom.settings import Settings
from leadloom.web import create_app

CONFIG = Path(__file__).resolve().parents[1] / "config"
#: phases that are not the write path: the wait for the planner
PLANNING = ("planning",)


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(url: str, leads: int, seed: int, as_of: str) -> None:
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    print(f"before: {load()}")
    summary = generate_demo(app, leads=leads, seed=seed, password="bench-password",
                            as_of=parse_as_of(as_of))
    print(summary)
    total = summary.seconds
    print(f"demo-data {leads} leads on {url.split(':')[0]}: {total:.1f} s, "
          f"{leads / total:,.0f} leads/s ({load()})")
    for phase, seconds in sorted(summary.phases, key=lambda p: -p[1]):
        print(f"  {phase:<12} {seconds:8.2f} s  {seconds / total:6.1%}")
    planning = sum(s for p, s in summary.phases if p in PLANNING)
    writing = sum(s for p, s in summary.phases if p not in PLANNING)
    print(f"generator (planning) / write path: {planning:.1f} s / {writing:.1f} s = "
          f"{planning / writing if writing else 0:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default=AS_OF.strftime("%Y-%m-%d"))
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.leads, args.seed, args.as_of)
        return 0
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
        run(f"sqlite:///{Path(tmp) / 'demo.db'}", args.leads, args.seed, args.as_of)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
