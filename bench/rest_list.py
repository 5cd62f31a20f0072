"""Benchmark the REST lead list over HTTP: filtered, sorted, 50 a page, under gunicorn.

For each ``--leads`` size (one database each), leadloom's production entry point
(``leadloom.web:create_live_app()``) is served by gunicorn with ``--workers`` sync workers
on a free port, and ``GET /api/v1/lead/?q=(filters, order, page_size)`` is timed for each
user (JWT from ``/api/v1/security/login``): ``--requests`` in a row from one client, then
``--requests-each`` from each of ``--clients`` threads at once. Beside it, same run:

* raw SQL: the page's own statements (those reading the lead table or its tag links: count,
  page, the page's tags), captured from the same request in this process and re-run on a
  bare DBAPI (psycopg) cursor, their rows fetched and the page encoded as JSON (the least
  any endpoint does with it). Not in it: signing in (the user, the permission stamp) and
  HTTP, which the REST figure pays (the issue's target is on this one);
* raw SQL over HTTP: the same statements served by ``bench/raw_wsgi.py``, a bare WSGI app
  under gunicorn with the same workers (no framework, no sign-in): the baseline fair to any
  HTTP API;
* plain FAB: ``bench/plain_fab.py``, a bare Flask-AppBuilder ModelRestApi over the same
  table (reflected), served by gunicorn alike, with the same query; compared with leadloom
  as ``admin``, who sees every lead as the bare API does.

Ratios: REST p50 / raw SQL p50 (in-process, and over HTTP), leadloom / plain FAB (p50), and
with two sizes the list p50 at the largest / at the smallest. Each figure is printed with
``os.getloadavg()``.

Data: ``leadloom demo-data --leads N`` into ``<--name>_<N>`` (``leadloom_bench_rest_<N>``)
on the ``--database-url`` server (a SQLite URL: ``<file stem>_<N>.db`` beside it), then
``VACUUM ANALYZE``; ``--reuse`` takes such a database as it is when it has leads. On
PostgreSQL a size above ``--copy-from M`` is a copy of M's database multiplied in SQL
(``bench.pages.multiply``: every record and its history copied with new ids and dates
moved back a day per copy, owners kept), which makes 1M leads in minutes. The databases
are kept for ``--reuse`` (``--drop`` removes them at the end). Run from the repository
root::

    PYTHONPATH=platform python -m bench.rest_list --leads 10000 100000 1000000 \
        --copy-from 100000
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import prison
import sqlalchemy as sa

from bench import plain_fab, raw_wsgi
from bench.figures import load, p95, target_line
from bench.http_load import ROOT, Latencies, gunicorn, login, timed_gets
from bench.pages import Statement, captured, multiply, short
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = ROOT / "config"
SERVER = "postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres"
PASSWORD = "bench-password"
SECRET = "b" * 48
USERS = ("rep1", "sup1", "admin")
#: leadloom's user compared with the bare API (both see every lead)
BASELINE_USER = "admin"
LEADLOOM = "leadloom.web:create_live_app()"
PLAIN_FAB = "bench.plain_fab:create_app()"
RAW_WSGI = "bench.raw_wsgi:create_app()"
#: the page's own statements: those reading the lead table or a tags field's link table
READS_LEADS = re.compile(r"\b(FROM|JOIN) lead(__\w+)?\b")
#: the benchmark's databases: ``<name>_<leads>``
DATABASE_NAME = "leadloom_bench_rest"


# ---- the query -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ListQuery:
    """FAB's rison list query: filters ``col:opr:value``, one ordering, one page."""

    filters: tuple[tuple[str, str, str], ...]
    order: tuple[str, str]
    page_size: int

    def path(self, resource: str) -> str:
        rison = prison.dumps({
            "filters": [{"col": c, "opr": o, "value": v} for c, o, v in self.filters],
            "order_column": self.order[0], "order_direction": self.order[1],
            "page": 0, "page_size": self.page_size})
        return f"/api/v1/{resource}/?q={urllib.parse.quote(rison, safe='(),:!*')}"


def filter_arg(text: str) -> tuple[str, str, str]:
    column, operator, value = text.split(":", 2)
    return column, operator, value


def order_arg(text: str) -> tuple[str, str]:
    column, _, direction = text.partition(":")
    if direction not in ("asc", "desc"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected column:asc or column:desc")
    return column, direction


# ---- the databases ---------------------------------------------------------------------------
def database_url(server: str, leads: int, name: str = DATABASE_NAME) -> str:
    """The benchmark's database for ``leads`` on ``server`` (a new file name on SQLite)."""
    url = sa.make_url(server)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "bench.db").resolve()
        return str(url.set(database=str(path.with_name(f"{path.stem}_{leads}.db"))))
    return url.set(database=f"{name}_{leads}").render_as_string(hide_password=False)


def prepare(server: str, leads: int, reuse: bool, name: str = DATABASE_NAME,
            copy_from: int | None = None) -> str:
    """The database for ``leads``: reused if asked and it has leads, else made anew (a copy
    of ``copy_from``'s, multiplied, when ``leads`` is larger)."""
    url = database_url(server, leads, name)
    found = lead_count(url)
    if reuse and found:
        print(f"data: reusing {_name(url)} as it is ({found:,} leads)")
        return url
    drop(url)
    if copy_from is not None and leads > copy_from:
        return _multiplied(url, database_url(server, copy_from, name), leads)
    _create(url)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leadloom", "--config", str(CONFIG),
                    "--database-url", url, "demo-data", "--leads", str(leads),
                    "--password", PASSWORD], check=True, cwd=ROOT, capture_output=True,
                   env=_env(url))
    made = time.perf_counter() - started
    print(f"data: leadloom demo-data --leads {leads:,} into {_name(url)} in {made:.1f} s "
          f"(a process: start-up included), load {load()}")
    print(target_line(f"demo_data[{leads}]", made, "s"))
    _analyze(url)
    return url


def _multiplied(url: str, source: str, leads: int) -> str:
    """``source``'s database copied to ``url`` and multiplied up to ``leads`` leads."""
    if sa.make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("--copy-from needs PostgreSQL (the copies are made in SQL)")
    started = time.perf_counter()
    _on_server(url, f'CREATE DATABASE "{_name(url)}" TEMPLATE "{_name(source)}"')
    engine = sa.create_engine(url)
    try:
        copies = multiply(engine, leads)
    finally:
        engine.dispose()
    print(f"data: {_name(source)} copied {copies} times into {_name(url)} "
          f"({lead_count(url):,} leads) in {time.perf_counter() - started:.1f} s, load {load()}")
    return url


def lead_count(url: str) -> int:
    """Leads in the database at ``url``; 0 when it or its lead table is not there."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text("SELECT count(*) FROM lead")) or 0)
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def drop(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
    else:
        _on_server(url, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _create(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        _on_server(url, f'CREATE DATABASE "{parsed.database}"')


def _on_server(url: str, statement: str) -> None:
    admin = sa.create_engine(sa.make_url(url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(statement))
    admin.dispose()


def _analyze(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"))
    engine.dispose()


def _name(url: str) -> str:
    return sa.make_url(url).database or url


def _env(url: str) -> dict[str, str]:
    return {"LEADLOOM_DATABASE_URL": url, "LEADLOOM_CONFIG_DIR": str(CONFIG),
            "LEADLOOM_SECRET_KEY": SECRET}


# ---- raw SQL of the same page ----------------------------------------------------------------
class PageSql:
    """The statements on the lead table that the list request runs, captured from the app in
    this process (same code, config and database as under gunicorn)."""

    def __init__(self, url: str, path: str) -> None:
        self.path = path
        self.app = create_app(Settings(config_dir=CONFIG, database_url=url, secret_key=SECRET))
        with self.app.app_context():
            self.engine: sa.Engine = state().db.engine

    def statements(self, user: str) -> list[Statement]:
        """What one ``GET path`` as ``user`` runs on the lead table (count + page)."""
        client = self.app.test_client()
        token = client.post("/api/v1/security/login", json={
            "username": user, "password": PASSWORD, "provider": "db"}).get_json()
        with captured(self.engine) as statements:
            answer = client.get(self.path, headers={
                "Authorization": f"Bearer {token['access_token']}"})
        if answer.status_code != 200:
            raise SystemExit(f"GET {self.path} as {user}: HTTP {answer.status_code}")
        return [s for s in statements if READS_LEADS.search(s.sql)]


def raw_seconds(engine: sa.Engine, statements: list[Statement], runs: int) -> list[float]:
    """Seconds to run the statements on one DBAPI cursor, fetch their rows and encode them
    as JSON (column names as keys; ``raw_wsgi.page_answer``), ``runs`` times after one
    warm-up."""
    pairs = [(s.sql, s.params) for s in statements]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        seconds = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            raw_wsgi.page_answer(cursor, pairs)
            seconds.append(time.perf_counter() - started)
            raw.rollback()
        return seconds[1:]
    finally:
        raw.close()


def served_raw(url: str, statements: dict[str, list[Statement]], args: argparse.Namespace
               ) -> dict[str, Latencies]:
    """Each user's page statements served by ``raw_wsgi`` under gunicorn (same workers),
    ``--requests`` GETs in a row from one client."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump({user: [(s.sql, s.params) for s in found]
                   for user, found in statements.items()}, file, default=str)
        file.flush()
        env = {**_env(url), "RAW_WSGI_STATEMENTS": file.name}
        with gunicorn(RAW_WSGI, env, args.workers) as port:
            return {user: timed_gets(port, f"/{user}", "", args.requests)
                    for user in statements}


# ---- one size --------------------------------------------------------------------------------
@dataclass(slots=True)
class SizeFigures:
    """What one database size gave: p50 of each user's single-client run and the ratios."""

    leads: int
    p50: dict[str, float]
    p95_single: float
    p95_concurrent: float
    rest_vs_raw: float
    rest_vs_plain: float


def row(label: str, clients: int, times: Latencies) -> str:
    seconds = times.seconds
    return (f"  {label:<22}{clients:>4}{statistics.median(seconds) * 1000:>9.1f}"
            f"{p95(seconds) * 1000:>9.1f}{times.per_second:>8.1f}"
            f"{times.client_cpu / len(seconds) * 1000:>10.2f}   {load()}")


def measure(port: int, path: str, user: str, label: str,
            args: argparse.Namespace) -> tuple[Latencies, Latencies]:
    """One user's single-client and concurrent runs, printed as they finish."""
    token = login(port, user, PASSWORD)
    single = timed_gets(port, path, token, args.requests)
    print(row(label, 1, single), flush=True)
    together = timed_gets(port, path, token, args.requests_each, clients=args.clients)
    print(row(label, args.clients, together), flush=True)
    return single, together


def run_size(url: str, leads: int, query: ListQuery, args: argparse.Namespace) -> SizeFigures:
    path, plain_path = query.path("lead"), query.path(plain_fab.RESOURCE)
    sql = PageSql(url, path)
    engine = sql.engine
    print(f"\n{leads:,} leads ({lead_count(url):,} in {_name(url)}, "
          f"{engine.dialect.name} {engine.dialect.server_version_info}), gunicorn "
          f"{args.workers} workers, GET {urllib.parse.unquote(path)}")
    print(f"  {'':<22}{'clients':>4}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
          f"{'client ms':>10}   load 1/5/15 min")
    singles, together = {}, []
    with gunicorn(LEADLOOM, _env(url), args.workers) as port:
        for user in USERS:
            single, concurrent = measure(port, path, user, f"leadloom {user}", args)
            singles[user] = single
            together.append(concurrent)
    plain_fab.create_app(url, update_perms=True)
    with gunicorn(PLAIN_FAB, _env(url), args.workers) as port:
        plain, _ = measure(port, plain_path, BASELINE_USER, f"plain FAB {BASELINE_USER}", args)
    statements = {user: sql.statements(user) for user in USERS}
    raw = {user: raw_seconds(engine, statements[user], args.requests) for user in USERS}
    engine.dispose()
    served = served_raw(url, statements, args)
    p50 = {user: statistics.median(times.seconds) for user, times in singles.items()}
    for user in USERS:
        print(f"  raw SQL {user:<14}    {statistics.median(raw[user]) * 1000:>9.1f}"
              f"{p95(raw[user]) * 1000:>9.1f}   ({len(statements[user])} statements on a "
              f"{engine.driver} cursor, rows fetched, page as JSON)   {load()}")
        print("\n".join(f"    {short(s.sql)}" for s in statements[user]))
    for user in USERS:
        print(row(f"raw SQL over HTTP {user}", 1, served[user])
              + "   (the same statements from a bare WSGI app under the same gunicorn)")
    vs_raw = {user: p50[user] / statistics.median(raw[user]) for user in USERS}
    vs_served = {user: p50[user] / statistics.median(served[user].seconds) for user in USERS}
    vs_plain = p50[BASELINE_USER] / statistics.median(plain.seconds)
    print("  REST / raw SQL (p50): " + ", ".join(f"{u} {r:.2f}x" for u, r in vs_raw.items())
          + f"; leadloom / plain FAB as {BASELINE_USER} (p50): {vs_plain:.2f}x")
    print("  REST / raw SQL over HTTP (p50): "
          + ", ".join(f"{u} {r:.2f}x" for u, r in vs_served.items()))
    figures = SizeFigures(
        leads, p50, max(p95(t.seconds) for t in singles.values()) * 1000,
        max(p95(t.seconds) for t in together) * 1000, max(vs_raw.values()), vs_plain)
    for name, value, unit in (("rest_p95_single", figures.p95_single, "ms"),
                              ("rest_p95_concurrent", figures.p95_concurrent, "ms"),
                              ("rest_vs_raw_sql", figures.rest_vs_raw, "x"),
                              ("rest_vs_plain_fab", figures.rest_vs_plain, "x")):
        print(target_line(f"{name}[{leads}]", value, unit))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000],
                        help="one database per size; two or more: the p50 ratio of the "
                             "largest to the smallest")
    parser.add_argument("--database-url", default=SERVER,
                        help="a PostgreSQL server (or a SQLite file name)")
    parser.add_argument("--reuse", action="store_true",
                        help="take the size's database as it is when it has leads")
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    parser.add_argument("--name", default=DATABASE_NAME,
                        help="the databases' names: NAME_<leads>")
    parser.add_argument("--copy-from", type=int, metavar="M",
                        help="PostgreSQL: make each size above M from M's database, "
                             "multiplied in SQL (M is made first if needed)")
    parser.add_argument("--filter", type=filter_arg, action="append", dest="filters",
                        metavar="COL:OPR:VALUE", help="FAB filter (repeatable); default "
                        "status:eq:contacting")
    parser.add_argument("--order", type=order_arg, default=("last_followup_at", "desc"),
                        metavar="COL:asc|desc")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=40,
                        help="requests in a row from one client")
    parser.add_argument("--requests-each", type=int, default=15,
                        help="requests from each concurrent client")
    args = parser.parse_args(argv)
    query = ListQuery(tuple(args.filters or [("status", "eq", "contacting")]), args.order,
                      args.page_size)
    sizes = sorted(set(args.leads))
    sources = []  # a --copy-from size that is not measured itself
    if args.copy_from is not None and args.copy_from not in sizes:
        sources.append(prepare(args.database_url, args.copy_from, True, args.name))
    urls = {leads: prepare(args.database_url, leads, args.reuse, args.name, args.copy_from)
            for leads in sizes}
    print("\nclient ms: the client thread's own CPU per request (the client is not the limit "
          "while it stays far below p50)")
    try:
        figures = [run_size(urls[leads], leads, query, args) for leads in sizes]
    finally:
        if args.drop:
            for url in [*urls.values(), *sources]:
                drop(url)
    if len(figures) > 1:
        print("\n" + "\n".join(growth(figures[0], figures[-1])))
    return 0


def growth(small: SizeFigures, large: SizeFigures) -> list[str]:
    """How much slower the list is at the large size: each user's p50 ratio, and the worst
    as a TARGET line."""
    ratios = {user: large.p50[user] / small.p50[user] for user in small.p50}
    return [f"list p50 at {large.leads:,} / at {small.leads:,} leads: "
            + ", ".join(f"{user} {ratio:.2f}x" for user, ratio in ratios.items()),
            target_line(f"list_p50_growth[{large.leads}/{small.leads}]",
                        max(ratios.values()), "x")]


if __name__ == "__main__":
    sys.exit(main())
