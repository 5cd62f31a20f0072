"""Benchmark ``leadloom publish`` of config changes on a database with N demo leads.

Two changes, published one after the other as the real command (a process each), on a copy
of the benchmark's data (``bench/rest_list.py``'s database for N, made by ``leadloom
demo-data`` unless ``--reuse`` finds it; copied with ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL, a file copy on SQLite, so the source stays as it was):

1. schema: a new lead field and a flag on another (``city`` becomes a filter);
2. rules: the grading rules change (grade C from two weak BNAU answers to three), which
   re-grades every open lead.

Printed for each: seconds of ``publish``, and as the same-run baseline ``publish --dry-run``
of the same change (start-up, validation and the plan, no writes); ``publish`` includes the
recompute of the open leads a rule change sets off (``records.leads.recompute``); the
in-process check after it finds that run done and reports how many leads it changed. Run
from the repository root::

    PYTHONPATH=platform python -m bench.publish --leads 10000
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from bench.figures import load, target_line
from bench.http_load import ROOT
from bench.rest_list import CONFIG, SERVER, drop, prepare
from leadloom.access import Actor
from leadloom.lifecycle import active_registry
from leadloom.model import build_models, create_engine
from leadloom.records import Context
from leadloom.records.leads.recompute import recompute

NEW_FIELD = {"type": "string", "zh": "基准备注", "en": "Bench note", "length": 64,
             "section": "basic"}
FLAGGED = "city"
WEAK_ANSWERS = "lowest_count >= 2"


def add_field_and_flag(folder: Path) -> None:
    """A new lead field, and the city field flagged as a filter."""

    def change(lead: dict[str, Any]) -> None:
        lead["fields"]["bench_note"] = NEW_FIELD
        lead["fields"][FLAGGED]["filter"] = True

    _edit(folder / "entities" / "lead.yaml", change)


def change_grading(folder: Path) -> None:
    """Grade C needs three weak BNAU answers instead of two."""

    def change(leads: dict[str, Any]) -> None:
        cases = [c for c in leads["grading"]["grade"] if WEAK_ANSWERS in c["when"]]
        if not cases:
            raise SystemExit(f"no grading case with {WEAK_ANSWERS!r}: update bench/publish.py")
        cases[0]["when"] = cases[0]["when"].replace(WEAK_ANSWERS, "lowest_count >= 3")

    _edit(folder / "leads.yaml", change)


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


CHANGES: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("publish_field_flag", add_field_and_flag),
    ("publish_grading", change_grading),
)


def copy_database(source: str, leads: int) -> str:
    """A copy of ``source`` to publish into (``leadloom_bench_publish_<N>``)."""
    target = sa.make_url(source).set(database=f"leadloom_bench_publish_{leads}")
    if target.get_backend_name() == "sqlite":
        path = Path(sa.make_url(source).database or "")
        copied = path.with_name(f"{path.stem}_publish.db")
        shutil.copyfile(path, copied)
        return str(target.set(database=str(copied)))
    url = target.render_as_string(hide_password=False)
    drop(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}" '
                             f'TEMPLATE "{sa.make_url(source).database}"'))
    admin.dispose()
    return url


def publish(folder: Path, url: str, *extra: str) -> float:
    """Seconds of ``leadloom publish`` (a process) of ``folder`` into ``url``."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leadloom", "--config", str(folder),
                    "--database-url", url, "publish", "-m", "bench/publish.py", *extra],
                   check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def regrade(folder: Path, url: str) -> tuple[float, int]:
    """Seconds of the recompute check after the publish (the run is done by then), and
    leads the publish's recompute changed (0 when the rules did not change)."""
    engine = create_engine(url)
    try:
        registry = active_registry(engine, folder)
        with Session(engine) as session:
            ctx = Context(Actor.system_actor(), session, build_models(registry), channel="job")
            started = time.perf_counter()
            run = recompute(ctx)
            return time.perf_counter() - started, run.changed if run else 0
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--database-url", default=SERVER,
                        help="a PostgreSQL server (or a SQLite file name)")
    parser.add_argument("--reuse", action="store_true",
                        help="take the data of bench/rest_list.py for N when it is there")
    parser.add_argument("--no-dry-run", action="store_true",
                        help="skip the dry-run baseline (the smoke test's quick mode)")
    args = parser.parse_args(argv)
    source = prepare(args.database_url, args.leads, args.reuse)
    url = copy_database(source, args.leads)
    print(f"\npublish at {args.leads:,} leads (a copy of "
          f"{sa.make_url(source).database}), each change on top of the last")
    try:
        with tempfile.TemporaryDirectory(prefix="leadloom-bench-publish-") as tmp:
            folder = Path(tmp) / "config"
            shutil.copytree(CONFIG, folder)
            for name, change in CHANGES:
                change(folder)
                dry = None if args.no_dry_run else publish(folder, url, "--dry-run")
                seconds = publish(folder, url)
                regraded, changed = regrade(folder, url)
                baseline = "" if dry is None else (
                    f"dry run {dry:.2f} s (ratio {seconds / dry:.1f}x); ")
                print(f"  {change.__doc__.splitlines()[0]}\n    publish {seconds:.2f} s, "
                      f"{baseline}recompute check after it {regraded:.2f} s, {changed:,} "
                      f"leads changed   load {load()}")
                print(target_line(f"{name}[{args.leads}]", seconds + regraded, "s"))
    finally:
        drop(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
