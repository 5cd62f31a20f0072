"""The REST list's per-request work, in-process: Python calls, SQL statements, CPU and wall ms.

Wall time on a shared machine is noisy; how many Python functions one ``GET /api/v1/lead/``
calls and how many statements it sends are not, so they are this script's stable figures.
For each user, on an existing database (``--database-url``; ``rest_list.py`` makes
``leadloom_bench_rest_<N>``), the app (``create_app``, same config as the benchmark) serves
the list through Flask's test client with a JWT made in-process (no login: nothing is
written): warm-up, one request under ``cProfile`` (calls), one with its statements captured
(how many, and how many read the lead table: the raw SQL of the page), then ``--requests``
timed ones (median wall and mean CPU of this process). Beside them, same run: the page's
lead statements re-run on a bare DBAPI cursor, rows fetched and encoded as JSON
(``rest_list.raw_seconds``), and the ratio. Printed with the machine's load. Run from the
repository root::

    PYTHONPATH=platform python -m bench.rest_overhead \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/leadloom_bench_rest_10000
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_jwt_extended import create_access_token

from bench.figures import load
from bench.pages import captured
from bench.rest_list import CONFIG, READS_LEADS, SECRET, USERS, ListQuery, raw_seconds
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

DEFAULT_URL = ("postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/"
               "leadloom_bench_rest_10000")
WARM_UP = 5


def bearer(app: Flask, username: str) -> dict[str, str]:
    """An access token for ``username``, made as FAB's login makes it (nothing written)."""
    with app.app_context():
        sm = state().appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            raise SystemExit(f"no user {username!r} in this database")
        token = create_access_token(identity=str(user.id), fresh=True)
    return {"Authorization": f"Bearer {token}"}


def per_request(app: Flask, path: str, headers: dict[str, str], requests: int
                ) -> dict[str, Any]:
    """One user's figures: calls, statements (all and on leads), wall and CPU ms."""
    client = app.test_client()

    def get() -> None:
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path}: HTTP {answer.status_code} {answer.data[:200]!r}")

    for _ in range(WARM_UP):
        get()
    profile = cProfile.Profile()
    profile.enable()
    get()
    profile.disable()
    with app.app_context():
        engine = state().db.engine
    with captured(engine) as statements:
        get()
    walls = []
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        get()
        walls.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started) / requests
    leads = [s for s in statements if READS_LEADS.search(s.sql)]
    raw = raw_seconds(engine, leads, requests)
    return {"calls": pstats.Stats(profile).total_calls, "statements": len(statements),
            "lead_statements": len(leads), "wall": statistics.median(walls), "cpu": cpu,
            "raw": statistics.median(raw)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="an existing benchmark database (read, never written)")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--users", nargs="+", default=list(USERS))
    args = parser.parse_args(argv)
    app = create_app(Settings(config_dir=CONFIG, database_url=args.database_url,
                              secret_key=SECRET), upgrade=False)
    path = ListQuery((("status", "eq", "contacting"),), ("last_followup_at", "desc"),
                     50).path("lead")
    print(f"GET {path} in-process (test client), {sa.make_url(args.database_url).database}, "
          f"{args.requests} requests per user")
    print(f"  {'user':<8}{'calls':>8}{'SQL':>5}{'on leads':>9}{'wall ms':>9}{'CPU ms':>8}"
          f"{'raw SQL ms':>11}{'ratio':>7}   load 1/5/15 min")
    for user in args.users:
        got = per_request(app, path, bearer(app, user), args.requests)
        print(f"  {user:<8}{got['calls']:>8,}{got['statements']:>5}{got['lead_statements']:>9}"
              f"{got['wall'] * 1000:>9.2f}{got['cpu'] * 1000:>8.2f}{got['raw'] * 1000:>11.2f}"
              f"{got['wall'] / got['raw']:>6.2f}x   {load()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
