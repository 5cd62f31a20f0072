"""Benchmark the nightly periodic rules (``leadloom tick``) on N owned leads, a quarter of
them idle past the reclaim limit.

The leads are built through ``records.bulk_create`` by the system actor, then owned by
the demo reps of both units: 25 % assigned 100 days ago (idle: every one is reclaimed),
the rest 2 days ago (see ``build``). Then each job of ``tick`` runs on its own, timed, and
the script prints each job's time and count, the reclaims, ms per reclaim and the
machine's load (os.getloadavg(), the machine is shared), and the jobs' Python CPU time,
which a loaded machine does not stretch.

Only public API that main already had, so the same script measures before and after a
change (``PYTHONPATH=<other checkout>/platform``). Run from the repository root::

    PYTHONPATH=platform python bench/tick.py --leads 10000
    PYTHONPATH=platform python bench/tick.py --leads 10000 \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres

With ``--database-url`` a fresh database is created next to the one named, and dropped
after the run (PostgreSQL); without it, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from bench.figures import load, target_line
from leadloom.access import Actor
from leadloom.demo.users import ensure_users
from leadloom.records import Context, bulk_create, hooks
from leadloom.records.leads import clock, periodic
from leadloom.records.leads.pipeline import followup_hooks, lead_hooks
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"
PASSWORD = "bench-password"
CHUNK = 1000
IDLE_DAYS = 100
ACTIVE_DAYS = 2


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A fresh, empty database: a new one on the PostgreSQL server of ``url``, else (no
    url, or a SQLite one) a SQLite file."""
    if url is None or sa.make_url(url).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'tick.db'}"
        return
    server = sa.make_url(url)
    name = f"leadloom_bench_tick_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """The lead rules' clock stopped at ``moment`` (assignment and deadline times)."""
    real = clock.now
    clock.now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.now = real  # type: ignore[assignment]


def system(channel: str) -> Context:
    st = state()
    return Context(Actor.system_actor(), st.db.session, st.models, channel=channel)


def reps() -> list[int]:
    """The demo users who hold leads (the rep role), in both units."""
    st = state()
    users = st.appbuilder.sm.get_all_users()
    return sorted(u.id for u in users if any(r.name == "rep" for r in u.roles) and u.active)


def build(app: Flask, leads: int, now: dt.datetime, idle_share: float) -> float:
    """``leads`` owned leads, ``idle_share`` of them idle for IDLE_DAYS; seconds taken.

    A fixture, for speed: the rows go in through ``bulk_create`` with the lead rules off
    (validation, the workflow guard and the audit trail still run), then each gets its
    owner, unit, status and assignment time in one executemany, as an assignment would
    have left them. The timed jobs run with every rule on.
    """
    started = time.perf_counter()
    with app.app_context():
        ensure_users(PASSWORD)
        ctx = system("import")
        source = ctx.models.cls("source")
        sources = list(ctx.session.scalars(sa.select(source.id).order_by(source.id)))
        org = ctx.models.org
        units = dict(ctx.session.execute(sa.select(org.c.user_id, org.c.unit)).all())
        owners = reps()
        idle = int(leads * idle_share)
        table = ctx.models.cls("lead").__table__
        with rules_off():
            for start in range(0, leads, CHUNK):
                rows = [{"customer_name": f"基准客户{i:07d}", "industry": "manufacturing",
                         "contact_name": "周经理", "source": sources[i % len(sources)],
                         "need_description": "需要CRM系统", "budget_status": "unclear",
                         "need_clarity": "vague"} for i in range(start, min(start + CHUNK, leads))]
                ids = bulk_create(ctx, "lead", rows)
                owned = [{"b_id": pk, "owner_id": owners[pk % len(owners)],
                          "unit": units.get(owners[pk % len(owners)]), "status": "assigned",
                          "assigned_at": now - dt.timedelta(
                              days=IDLE_DAYS if start + n < idle else ACTIVE_DAYS)}
                         for n, pk in enumerate(ids)]
                ctx.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id")),
                                    owned)
                ctx.session.commit()
    return time.perf_counter() - started


@contextmanager
def rules_off() -> Iterator[None]:
    """The lead rules' hooks switched off (the other built-in hooks stay)."""
    saved = hooks.BUILTIN_HOOKS
    hooks.BUILTIN_HOOKS = tuple(h for h in saved if h not in (lead_hooks, followup_hooks))
    hooks._CACHE.clear()
    try:
        yield
    finally:
        hooks.BUILTIN_HOOKS = saved
        hooks._CACHE.clear()


def run_tick(app: Flask, now: dt.datetime) -> list[tuple[str, int, float, float]]:
    """Each job of ``tick`` on its own: (name, its count, seconds, this process's CPU
    seconds — the part the machine's load does not stretch)."""
    timings = []
    with app.app_context(), frozen(now):
        ctx = system("job")
        for name in periodic.JOBS:
            started, cpu = time.perf_counter(), time.process_time()
            counts = periodic.tick(ctx, now, (name,))
            timings.append((name, counts[name], time.perf_counter() - started,
                            time.process_time() - cpu))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=0.25,
                        help="share of the leads idle past the reclaim limit (0.25)")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    args = parser.parse_args(argv)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with database(args.database_url) as url:
        app = create_app(Settings(config_dir=CONFIG, database_url=url), testing=True)
        kind = sa.make_url(url).get_backend_name()
        print(f"{args.leads} leads, {args.idle:.0%} idle for {IDLE_DAYS} days, {kind}")
        built = build(app, args.leads, now, args.idle)
        print(f"built in {built:.1f} s (load {load()})")
        timings = run_tick(app, now)
        with app.app_context():
            state().db.session.remove()
            state().db.engine.dispose()
    total = sum(seconds for _, _, seconds, _ in timings)
    for name, count, seconds, _ in timings:
        print(f"  {name:8s} {seconds:8.2f} s  count {count}")
    reclaimed, seconds = next((c, s) for n, c, s, _ in timings if n == "reclaim")
    per = 1000 * seconds / reclaimed if reclaimed else float("nan")
    print(f"tick total {total:.2f} s; {reclaimed} reclaims, {per:.2f} ms a reclaim "
          f"(load {load()})")
    print(f"Python CPU of the jobs {sum(cpu for *_, cpu in timings):.2f} s "
          f"(the database's own time comes on top)")
    print(target_line(f"tick_nightly[{args.leads}]", total, "s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
