"""Benchmark the batch mode of the write path: ``records.bulk_create`` of N intake leads
with every lead rule on (numbering, screening, 查重, grading, assignment, deadlines,
history, first-touch tasks, messages, audit) ÷ a plain Core executemany of the same rows
(goal ≤ 10×), and the same for two follow-ups per lead entered by their owners (the leads'
derived columns, next tasks). Same run, same rows, on SQLite and, with
``--database-url``, on PostgreSQL; the machine's load (os.getloadavg) beside each figure.

Run from the repository root::

    PYTHONPATH=platform python bench/bulk_write.py --leads 10000 \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1/scratch

The PostgreSQL database is used as given (it should be empty: a scratch database); the
rows written are deleted again afterwards, the schema stays.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.figures import load, target_line
from bench.lead_rules import acting, intake_rows, time_plain
from leadloom.access import Actor
from leadloom.demo.generator import CHUNK
from leadloom.demo.users import ensure_users
from leadloom.records import Context, bulk_create, membership
from leadloom.records.leads import clock
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"
PASSWORD = "bench-password"
#: the tables a run writes, emptied between runs (children first)
WRITTEN = ("ll_audit", "ll_stage_history", "ll_notification", "ll_lead_event",
           "ll_dedupe_key", "ll_counter", "task", "followup", "lead")


def app_on(url: str) -> Flask:
    app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
    with app.app_context():
        ensure_users(PASSWORD)
    return app


def empty(app: Flask) -> None:
    with app.app_context():
        st = state()
        with st.db.engine.begin() as conn:
            for name in WRITTEN:
                conn.execute(sa.delete(st.models.metadata.tables[name]))


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bulk_leads(app: Flask, rows: list[dict[str, Any]]) -> float:
    with app.app_context():
        # as admin: a file this large repeats earlier leads of other units, which a
        # supervisor's batch refuses (they are outside his scope)
        ctx = acting(app, "admin", "import")
        return timed(lambda: [bulk_create(ctx, "lead", rows[start:start + CHUNK])
                              for start in range(0, len(rows), CHUNK)])


def followup_rows(app: Flask, now: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """Two follow-ups for every owned lead, by owner: a call, then a visit with a next
    action."""
    with app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        leads = st.db.session.execute(sa.select(lead.c.id, lead.c.owner_id).where(
            lead.c.owner_id.is_not(None)).order_by(lead.c.id)).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for lead_id, owner in leads:
        found.setdefault(owner, []).extend([
            {"lead": lead_id, "occurred_at": now - dt.timedelta(hours=3), "method": "phone",
             "summary": "初次电话沟通", "customer_feedback": "interested"},
            {"lead": lead_id, "occurred_at": now - dt.timedelta(hours=1), "method": "visit",
             "summary": "上门拜访", "customer_feedback": "wants_quote", "next_action": "报价",
             "next_action_due": (now + dt.timedelta(days=2)).date()}])
    return found


def plain_followups(app: Flask, rows: dict[int, list[dict[str, Any]]]) -> float:
    with app.app_context():
        st = state()
        table = st.models.cls("followup").__table__
        entity = st.registry.entity("followup")
        columns = [(f.code, f.column) for f in entity.fields if f.column]

        def run() -> None:
            params = [{**{column: row.get(code) for code, column in columns},
                       "owner_id": owner, "version": 1}
                      for owner, some in rows.items() for row in some]
            with st.db.engine.begin() as conn:
                for start in range(0, len(params), CHUNK):
                    conn.execute(sa.insert(table), params[start:start + CHUNK])
        return timed(run)


def bulk_followups(app: Flask, rows: dict[int, list[dict[str, Any]]]) -> float:
    with app.app_context():
        st = state()

        def run() -> None:
            for owner, some in rows.items():
                user = st.db.session.get(st.appbuilder.sm.user_model, owner)
                place = membership(st.db.session, st.models, owner)
                actor = Actor(owner, user.username, tuple(r.name for r in user.roles),
                              place.team, place.unit)
                ctx = Context(actor, st.db.session, st.models, channel="api")
                for start in range(0, len(some), CHUNK):
                    bulk_create(ctx, "followup", some[start:start + CHUNK])
        return timed(run)


def measure(name: str, app: Flask, rows: list[dict[str, Any]]) -> None:
    now = clock.now()
    empty(app)
    plain = time_plain(app, rows)
    print(f"[{name}] plain Core executemany, {len(rows)} leads: {plain:7.2f} s   (load {load()})")
    empty(app)
    bulk = bulk_leads(app, rows)
    print(f"[{name}] bulk_create, all rules:        {bulk:7.2f} s   (load {load()})")
    print(f"[{name}] ratio bulk_create ÷ plain (leads):      {bulk / plain:5.1f}x  (goal ≤ 10x)")
    print(target_line(f"bulk_vs_executemany[{len(rows)}-{name}]", bulk / plain, "x"))
    followups = followup_rows(app, now)
    count = sum(len(v) for v in followups.values())
    bulk_f = bulk_followups(app, followups)
    print(f"[{name}] bulk_create of {count} follow-ups:  {bulk_f:7.2f} s   (load {load()})")
    with app.app_context():
        st = state()
        with st.db.engine.begin() as conn:
            conn.execute(sa.delete(st.models.metadata.tables["followup"]))
    plain_f = plain_followups(app, followups)
    print(f"[{name}] plain Core executemany, follow-ups: {plain_f:7.2f} s   (load {load()})")
    print(f"[{name}] ratio bulk_create ÷ plain (follow-ups): {bulk_f / plain_f:5.1f}x")
    empty(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database to use too")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
        folder = Path(tmp)
        rows = intake_rows(app_on(f"sqlite:///{folder / 'rows.db'}"), args.leads, args.seed)
        if not args.no_sqlite:
            measure("sqlite", app_on(f"sqlite:///{folder / 'bulk.db'}"), rows)
        if args.database_url and sa.make_url(args.database_url).get_backend_name() != "sqlite":
            measure("postgresql", app_on(args.database_url), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
