"""Benchmark the lead rules: creating N new leads with every rule on (numbering, screening,
查重, grading, assignment, SLA deadlines, first-touch tasks, notifications) versus a plain
INSERT of the same rows, in one run, on fresh SQLite files.

Four timings of the same N intake rows (realistic demo leads without number, grade, owner
or status, entered by supervisor sup1 so the assignment rules route them):

* plain: a SQLAlchemy Core executemany INSERT (no checks, no rules);
* write path, rules off: ``records.bulk_create`` with the lead rules' hooks switched off
  (the other built-in hooks — workflow guard, audit trail — still run);
* write path, rules on: ``records.bulk_create`` (an import);
* single creates, rules on: ``records.create`` per row (what a form or the API does),
  on the first ``--single`` rows;

and the ratios. Run from the repository root::

    PYTHONPATH=platform python bench/lead_rules.py --leads 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from leadloom.access import Actor
from leadloom.demo.generator import CHUNK, source_ids
from leadloom.demo.planner import plan_chunks
from leadloom.demo.users import ensure_users
from leadloom.records import Context, RecordInvalid, bulk_create, create, hooks, membership
from leadloom.records.leads.pipeline import followup_hooks, lead_hooks
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"
#: what the rules set: an intake row does not bring these
SET_BY_RULES = ("lead_no", "grade", "status", "owner", "created_at", "updated_at",
                "last_followup_at", "invalid_reason", "lost_reason", "account", "stage",
                "expected_amount", "expected_close_date", "assigned_at", "first_touch_due_at",
                "discount_pct")
PASSWORD = "bench-password"


def fresh_app(folder: Path, name: str) -> Flask:
    url = f"sqlite:///{folder / name}"
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    with app.app_context():
        ensure_users(PASSWORD)
    return app


def intake_rows(app: Flask, leads: int, seed: int) -> list[dict[str, Any]]:
    """Demo lead rows as they arrive: what a form or an import file holds."""
    with app.app_context():
        st = state()
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="import")
        rows = [b.lead for chunk in plan_chunks(seed, leads, ensure_users(PASSWORD),
                                                source_ids(ctx), CHUNK) for b in chunk]
    return [{k: v for k, v in row.items() if k not in SET_BY_RULES} for row in rows]


def acting(app: Flask, username: str, channel: str) -> Context:
    """A write context as ``username`` (inside the app context)."""
    st = state()
    user = st.appbuilder.sm.find_user(username=username)
    place = membership(st.db.session, st.models, user.id)
    actor = Actor(user.id, username, tuple(r.name for r in user.roles), place.team, place.unit)
    return Context(actor, st.db.session, st.models, channel=channel)


def time_plain(app: Flask, rows: list[dict[str, Any]]) -> float:
    with app.app_context():
        st = state()
        entity = st.registry.entity("lead")
        table = st.models.cls("lead").__table__
        owner = st.appbuilder.sm.find_user(username="sup1").id
        columns = [(f.code, f.column) for f in entity.fields if f.column]
        started = time.perf_counter()
        params = [{**{column: row.get(code) for code, column in columns}, "owner_id": owner,
                   "unit": "east", "status": "new", "version": 1} for row in rows]
        with st.db.engine.begin() as conn:
            for start in range(0, len(params), CHUNK):
                conn.execute(sa.insert(table), params[start:start + CHUNK])
        return time.perf_counter() - started


def time_bulk(app: Flask, rows: list[dict[str, Any]]) -> float:
    with app.app_context():
        ctx = acting(app, "sup1", "import")
        started = time.perf_counter()
        for start in range(0, len(rows), CHUNK):
            bulk_create(ctx, "lead", rows[start:start + CHUNK])
        return time.perf_counter() - started


def time_single(app: Flask, rows: list[dict[str, Any]]) -> float:
    """One create per row; a row the duplicate check refuses counts (it did the work)."""
    with app.app_context():
        ctx = acting(app, "sup1", "api")
        started = time.perf_counter()
        for row in rows:
            try:
                create(ctx, "lead", row)
            except RecordInvalid:
                ctx.session.rollback()
        return time.perf_counter() - started


def rules_off(run: Any, *args: Any) -> float:
    """``run`` with the lead rules' hooks switched off (the other built-in hooks stay)."""
    saved = hooks.BUILTIN_HOOKS
    hooks.BUILTIN_HOOKS = tuple(h for h in saved if h not in (lead_hooks, followup_hooks))
    hooks._CACHE.clear()
    try:
        return float(run(*args))
    finally:
        hooks.BUILTIN_HOOKS = saved
        hooks._CACHE.clear()


def summary(app: Flask) -> str:
    with app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        rows = st.db.session.execute(sa.select(lead.c.status, lead.c.pool, lead.c.grade,
                                               lead.c.duplicate_hint)).all()
    pooled = sum(1 for r in rows if r.pool == "public")
    verify = sum(1 for r in rows if r.status == "to_verify")
    dupes = sum(1 for r in rows if r.duplicate_hint)
    graded = {g: sum(1 for r in rows if r.grade == g) for g in ("A", "B", "C", None)}
    return (f"  outcome: {len(rows) - pooled} assigned, {pooled} to the pool, {verify} to "
            f"verify, {dupes} possible duplicates, grades {graded}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--single", type=int, default=300,
                        help="how many rows to create one by one (default 300)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
        folder = Path(tmp)
        rows = intake_rows(fresh_app(folder, "rows.db"), args.leads, args.seed)
        plain = time_plain(fresh_app(folder, "plain.db"), rows)
        off = rules_off(time_bulk, fresh_app(folder, "off.db"), rows)
        bulk_app = fresh_app(folder, "bulk.db")
        bulk = time_bulk(bulk_app, rows)
        single_rows = rows[:args.single]
        single = time_single(fresh_app(folder, "single.db"), single_rows)
        single_off = rules_off(time_single, fresh_app(folder, "single_off.db"), single_rows)
        print(f"{len(rows)} intake leads entered by sup1 (unit east), SQLite")
        print(f"plain Core INSERT:                 {plain:6.2f} s  {len(rows) / plain:8,.0f}/s")
        print(f"bulk_create, rules off:            {off:6.2f} s  {len(rows) / off:8,.0f}/s")
        print(f"bulk_create, all rules on:         {bulk:6.2f} s  {len(rows) / bulk:8,.0f}/s")
        print(summary(bulk_app))
        print(f"create() x{len(single_rows)}, rules off:        {single_off:6.2f} s  "
              f"{len(single_rows) / single_off:8,.0f}/s")
        print(f"create() x{len(single_rows)}, all rules on:     {single:6.2f} s  "
              f"{len(single_rows) / single:8,.0f}/s")
    print(f"ratio bulk with rules / plain insert:   {bulk / plain:5.1f}x")
    print(f"ratio bulk with rules / rules off:      {bulk / off:5.1f}x")
    per_plain = plain / len(rows)
    print(f"ratio single create with rules / plain insert, per row: "
          f"{single / len(single_rows) / per_plain:5.1f}x "
          f"({1000 * single / len(single_rows):.1f} ms a lead)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
