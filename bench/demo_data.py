"""Benchmark ``leadloom demo-data``: N leads (+ history) on a fresh SQLite file.

Prints the demo generator's time and leads/second, and two same-run baselines on other
fresh databases with the same lead rows (same seed):

* Core: a plain SQLAlchemy Core executemany INSERT of the lead rows (no validation);
* write path: ``records.bulk_create`` of the same lead rows only;

and the ratios. Run from the repository root::

    PYTHONPATH=platform python bench/demo_data.py --leads 100000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from leadloom.access import Actor
from leadloom.demo import generate_demo
from leadloom.demo.generator import CHUNK, source_ids
from leadloom.demo.planner import plan_chunks
from leadloom.demo.users import ensure_users
from leadloom.records import Context, bulk_create
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"


def fresh_app(folder: Path, name: str, *, users: bool = True) -> Flask:
    """An app on a new SQLite file, with the demo users (same ids as in any fresh run)."""
    url = f"sqlite:///{folder / name}"
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    if users:
        with app.app_context():
            ensure_users("bench-password")
    return app


def lead_rows(app: Flask, leads: int, seed: int) -> list[dict[str, Any]]:
    """The lead input rows ``generate_demo`` writes for this seed (without account links)."""
    with app.app_context():
        st = state()
        user_ids = ensure_users("bench-password")
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="import")
        return [b.lead for chunk in plan_chunks(seed, leads, user_ids, source_ids(ctx), CHUNK)
                for b in chunk]


def core_params(app: Flask, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as column values, stamped like the write path stamps them."""
    with app.app_context():
        st = state()
        entity = st.registry.entity("lead")
        org = st.models.org
        units = dict(st.db.session.execute(sa.select(org.c.user_id, org.c.unit)).all())
    columns = [(f.code, f.column) for f in entity.fields if f.column]
    return [{**{column: row.get(code) for code, column in columns},
             "owner_id": row["owner"], "unit": units.get(row["owner"]),
             "created_at": row["created_at"], "updated_at": row["updated_at"], "version": 1}
            for row in rows]


def time_core(app: Flask, params: list[dict[str, Any]]) -> float:
    with app.app_context():
        st = state()
        table = st.models.cls("lead").__table__
        started = time.perf_counter()
        with st.db.engine.begin() as conn:
            for start in range(0, len(params), CHUNK):
                conn.execute(sa.insert(table), params[start:start + CHUNK])
        return time.perf_counter() - started


def time_write_path(app: Flask, rows: list[dict[str, Any]]) -> float:
    with app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="import")
        started = time.perf_counter()
        for start in range(0, len(rows), CHUNK):
            bulk_create(ctx, "lead", rows[start:start + CHUNK])
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
        folder = Path(tmp)
        demo_app = fresh_app(folder, "demo.db", users=False)
        with demo_app.app_context():
            summary = generate_demo(demo_app, leads=args.leads, seed=args.seed,
                                    password="bench-password")
        print(summary)
        print(f"generate_demo: {summary.seconds:.1f} s, "
              f"{args.leads / summary.seconds:,.0f} leads/s (with all history rows)")
        core_app = fresh_app(folder, "core.db")
        rows = lead_rows(core_app, args.leads, args.seed)
        core = time_core(core_app, core_params(core_app, rows))
        path = time_write_path(fresh_app(folder, "path.db"), rows)
    print(f"baseline, Core executemany of the {len(rows)} lead rows: {core:.2f} s "
          f"({len(rows) / core:,.0f} rows/s)")
    print(f"write path, bulk_create of the same lead rows: {path:.2f} s "
          f"({len(rows) / path:,.0f} rows/s), {path / core:.1f}x Core")
    print(f"ratio generate_demo (everything) / Core (leads only): {summary.seconds / core:.1f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
