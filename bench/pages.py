"""Benchmark the workspace pages at 100k leads on PostgreSQL against the raw SQL they run.

Pages: home ``/``, the lead list filtered, sorted on a date column, 50 a page
(``--list-query``), a record page ``/lead/show/<id>`` (rep1's lead with the most
follow-ups), and the REST list of "my unit's leads, due next" (``REST_QUERY``), each as
rep1 and as sup1, through the Flask test client in the benchmark's
process (server time: routing, access checks, queries, templates; no network).

For each page the SQL statements of one request are captured (SQLAlchemy cursor events)
and re-run with their parameters on a raw DBAPI cursor, fetching every row, then rolled
back. Printed per page and user: median and p95 server time over ``--runs`` requests
(after warm-up), statement count (and those checking permissions or the menu), median
time of the raw SQL, the ratio page / raw SQL, the machine's load, and the statements that
take longest.

Data: ``generate_demo`` writes ``--base`` leads with their history through the write
path; the benchmark then copies them set-based in SQL (``INSERT ... SELECT`` over
``generate_series``: new ids, numbers suffixed ``-NNN``, dates shifted back one day per
copy, owners kept) up to ``--leads``, and runs ``VACUUM ANALYZE``. The database
``leadloom_bench_pages`` is created on the ``--database-url`` server and dropped at the
end unless ``--keep``. Run from the repository root::

    PYTHONPATH=platform python -m bench.pages --leads 100000
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench.figures import p95
from leadloom.demo import generate_demo
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"
SERVER = "postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres"
DATABASE = "leadloom_bench_pages"
PASSWORD = "bench-password"
USERS = ("rep1", "sup1")
REST_QUERY = "unit=east&q=(order_column:next_followup_due_at,order_direction:asc,page_size:50)"
LIST_QUERY = "grade=A&_oc_LeadView=last_followup_at&_od_LeadView=desc&psize_LeadView=50"
WARM_UP = 3
TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
#: FAB's tables of who may do what: a statement reading one is a permission or menu check
PERMISSION_TABLES = re.compile(r"\b(ab_permission_view_role|ab_permission_view|ab_permission|"
                               r"ab_view_menu)\b")
COLUMNS = re.compile(r"(SELECT(?: DISTINCT)?) [\w.]+(?: AS \w+)?(?:, [\w.]+(?: AS \w+)?)* FROM ")

#: the demo's record tables, parents first; copies keep their owners
RECORDS = ("account", "lead", "contact", "contract", "followup", "task")
#: history tables that point at any record by (entity, record_id)
BY_ENTITY = ("ll_audit", "ll_stage_history")
#: tables that point at leads by a column without a foreign key
LEAD_COLUMNS = {"ll_dedupe_key": "record_id", "ll_lead_event": "lead_id"}
#: unique texts of copies end in a 3-digit copy number
MAX_COPIES = 999


# ---- the data: a demo, multiplied in SQL ------------------------------------------------
def multiply(engine: sa.Engine, leads: int) -> int:
    """Copy every record (and its history) until there are at least ``leads`` leads.

    One ``INSERT ... SELECT`` per table over ``generate_series(1, copies)``; copy ``g``
    shifts ids by ``g`` times the table's largest id (references alike), suffixes unique
    texts with ``-NNN`` (``g``, 3 digits) and moves dates ``g`` days back. Sequences are
    set past the copies.

    :return: the number of copies made (0: there were enough leads already).
    :raises ValueError: more than ``MAX_COPIES`` copies would be needed.
    """
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        base = conn.scalar(sa.select(sa.func.count()).select_from(meta.tables["lead"]))
        copies = math.ceil(leads / base) - 1 if base else 0
        if copies < 1:
            return 0
        if copies > MAX_COPIES:
            raise ValueError(f"{copies} copies needed, at most {MAX_COPIES}: make more leads first")
        offsets = {name: conn.scalar(sa.select(sa.func.max(meta.tables[name].c.id))) or 0
                   for name in (*RECORDS, *BY_ENTITY, *LEAD_COLUMNS)}
        for table in _copied_tables(meta):
            conn.execute(_copy(table, offsets, copies))
        for name in offsets:
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT max(id) FROM {name}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return copies


def _copied_tables(meta: sa.MetaData) -> list[sa.Table]:
    """The record tables, their link tables (tags) and the history that points at them."""
    linked = [t for t in meta.sorted_tables if t.name not in RECORDS
              and any(fk.column.table.name in RECORDS for fk in t.foreign_keys)]
    return [meta.tables[name] for name in RECORDS] + linked + [
        meta.tables[name] for name in (*BY_ENTITY, *LEAD_COLUMNS)]


def _copy(table: sa.Table, offsets: dict[str, int], copies: int) -> sa.Insert:
    series = sa.func.generate_series(1, copies).table_valued("g").render_derived(name="copy")
    g = series.c.g
    refs = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys
            if fk.column.table.name in offsets}
    if table.name in LEAD_COLUMNS:
        refs[LEAD_COLUMNS[table.name]] = "lead"
    unique = {next(iter(c.columns)).name for c in (*table.constraints, *table.indexes)
              if isinstance(c, sa.UniqueConstraint | sa.Index) and len(c.columns) == 1
              and getattr(c, "unique", True)}

    def value(column: sa.Column[Any]) -> Any:
        if column.name == "id" and table.name in offsets:
            return column + g * offsets[table.name]
        if column.name in refs:
            return column + g * offsets[refs[column.name]]
        if table.name in BY_ENTITY and column.name == "record_id":
            return sa.case(*((table.c.entity == name, column + g * offsets[name])
                             for name in RECORDS))
        if isinstance(column.type, sa.DateTime):
            return column - sa.func.make_interval(0, 0, 0, g)
        if isinstance(column.type, sa.Date):
            return column - g
        if column.name in unique and isinstance(column.type, sa.String):
            suffix = sa.func.concat("-", sa.func.lpad(sa.cast(g, sa.Text), 3, "0"))
            kept = column.type.length - 4 if column.type.length else None
            if kept is None:
                return column.op("||")(suffix)
            # a text too long to keep whole: its digest's start (cut, two texts could agree)
            fitting = sa.case((sa.func.char_length(column) <= kept, column),
                              else_=sa.func.left(sa.func.md5(column), kept))
            return fitting.op("||")(suffix)
        return column

    query = sa.select(*(value(c) for c in table.columns)).select_from(table).join(
        series, sa.true())
    if table.name in BY_ENTITY:
        query = query.where(table.c.entity.in_(RECORDS))
    return sa.insert(table).from_select([c.name for c in table.columns], query)


# ---- capture and replay ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as the app handed it to the DBAPI cursor."""

    sql: str
    params: Any
    many: bool


@contextmanager
def captured(engine: sa.Engine) -> Iterator[list[Statement]]:
    """The statements ``engine`` sends to its cursors while the block runs."""
    found: list[Statement] = []

    def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any,
               many: bool) -> None:
        found.append(Statement(sql, params, many))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def replay(engine: sa.Engine, statements: list[Statement]) -> list[tuple[float, int]]:
    """Seconds and rows fetched of each statement, re-run on a raw DBAPI cursor, then rolled
    back (a page that writes leaves nothing behind)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":  # autocommit: the app's engine begins by itself
            cursor.execute("BEGIN")
        found = []
        for statement in statements:
            started = time.perf_counter()
            if statement.many:
                cursor.executemany(statement.sql, statement.params)
            else:
                cursor.execute(statement.sql, statement.params)
            rows = len(cursor.fetchall()) if cursor.description else 0
            found.append((time.perf_counter() - started, rows))
        return found
    finally:
        raw.rollback()
        raw.close()


# ---- pages ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PageTimes:
    """What one page cost one user: requests, its statements and their replays."""

    seconds: list[float]
    statements: list[Statement]
    replays: list[list[tuple[float, int]]]

    @property
    def raw(self) -> list[float]:
        return [sum(s for s, _ in run) for run in self.replays]

    def slowest(self, count: int) -> list[tuple[float, int, str]]:
        """The ``count`` statement texts that take longest (median replay time, summed over
        the runs of one text with other parameters), with how often the page runs each."""
        totals: dict[str, list[float]] = {}
        for i, statement in enumerate(self.statements):
            median = statistics.median(run[i][0] for run in self.replays)
            totals.setdefault(statement.sql, []).append(median)
        return sorted(((sum(t), len(t), sql) for sql, t in totals.items()),
                      key=lambda p: -p[0])[:count]


def login(app: Flask, username: str, password: str) -> FlaskClient:
    """A test client signed in through the login form (with its CSRF token if any)."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login/").get_data(as_text=True))
    answer = client.post("/login/", data={"username": username, "password": password,
                                          "csrf_token": token.group(1) if token else ""})
    if answer.status_code != 302:
        raise SystemExit(f"login as {username} failed: HTTP {answer.status_code}")
    return client


def measure(client: FlaskClient, engine: sa.Engine, url: str, runs: int) -> PageTimes:
    """Warm up, capture one request's SQL, time ``runs`` requests and ``runs`` replays."""
    for _ in range(WARM_UP):
        _get(client, url)
    with captured(engine) as statements:
        _get(client, url)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        _get(client, url)
        seconds.append(time.perf_counter() - started)
    replay(engine, statements)
    return PageTimes(seconds, statements, [replay(engine, statements) for _ in range(runs)])


def _get(client: FlaskClient, url: str) -> None:
    answer = client.get(url)
    if answer.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {answer.status_code}, expected 200")


def busiest_lead(app: Flask, owner: str) -> int:
    """Id of ``owner``'s lead with the most follow-ups (the lowest id among equals)."""
    with app.app_context():
        st = state()
        lead, followup = st.models.cls("lead"), st.models.cls("followup")
        user = st.appbuilder.sm.find_user(username=owner)
        return st.db.session.scalars(
            sa.select(lead.id).outerjoin(followup, followup.lead_id == lead.id)
            .where(lead.owner_id == user.id).group_by(lead.id)
            .order_by(sa.func.count(followup.id).desc(), lead.id).limit(1)).one()


def permission_statements(statements: list[Statement]) -> list[Statement]:
    """The statements that check permissions or the menu (they read FAB's role ↔ permission
    tables)."""
    return [s for s in statements if PERMISSION_TABLES.search(s.sql)]


def report(name: str, user: str, times: PageTimes) -> str:
    page, raw = statistics.median(times.seconds), statistics.median(times.raw)
    return (f"{name:<8}{user:<6}{len(times.statements):>6}"
            f"{len(permission_statements(times.statements)):>6}{page * 1000:>10.1f}"
            f"{p95(times.seconds) * 1000:>9.1f}{raw * 1000:>10.1f}{page / raw:>9.1f}x"
            f"  load {os.getloadavg()[0]:.2f}")


def slowest_lines(times: PageTimes, count: int = 3) -> list[str]:
    return [f"    {seconds * 1000:7.1f} ms {f'x{runs}':>4}  {short(sql)}"
            for seconds, runs, sql in times.slowest(count)]


def short(sql: str, width: int = 130) -> str:
    """One line, plain column lists elided: what is read and how it is narrowed."""
    line = COLUMNS.sub(r"\1 … FROM ", " ".join(sql.split()))
    return line if len(line) <= width else line[:width - 1] + "…"


# ---- the run -------------------------------------------------------------------------------
def fresh_database(server: str) -> str:
    """Create ``DATABASE`` anew on ``server``; its URL."""
    _on_server(server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
               f'CREATE DATABASE "{DATABASE}"')
    return sa.make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def drop_database(server: str) -> None:
    _on_server(server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _on_server(server: str, *statements: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


def make_data(app: Flask, engine: sa.Engine, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with app.app_context():
        summary = generate_demo(app, leads=args.base, seed=args.seed, password=PASSWORD)
    made = time.perf_counter()
    copies = multiply(engine, args.leads)
    meta = sa.MetaData()
    meta.reflect(engine, only=RECORDS)
    with engine.connect() as conn:
        counts = ", ".join(
            f"{conn.scalar(sa.select(sa.func.count()).select_from(meta.tables[name])):,} {name}s"
            for name in RECORDS)
    print(f"data: generate_demo {args.base:,} leads (seed {args.seed}) with their history "
          f"in {made - started:.0f} s; multiplied x{copies + 1} in SQL (new ids, numbers -NNN, "
          f"dates 1 day back per copy, owners kept) + VACUUM ANALYZE in "
          f"{time.perf_counter() - made:.0f} s")
    print(f"      {counts}; {summary.count('lead'):,} demo leads per copy")


def run(app: Flask, engine: sa.Engine, args: argparse.Namespace) -> None:
    pages = (("home", "/"), ("list", f"/lead/list/?{args.list_query}"),
             ("record", f"/lead/show/{busiest_lead(app, USERS[0])}"),
             ("rest", f"/api/v1/lead/?{REST_QUERY}"))
    with engine.connect() as conn:
        version = conn.scalar(sa.text("SHOW server_version"))
    print(f"\npages on PostgreSQL {version}, Flask test client in-process, median and p95 of "
          f"{args.runs} requests after {WARM_UP} warm-up; raw SQL = the page's statements "
          f"re-run on a DBAPI cursor (median of {args.runs})")
    for name, url in pages:
        print(f"  {name}: {url}")
    print(f"\n{'page':<8}{'user':<6}{'stmts':>6}{'perms':>6}{'median':>10}{'p95':>9}"
          f"{'raw SQL':>10}{'ratio':>10}   (stmts: SQL statements of one request; perms: "
          f"those checking permissions and the menu)")
    slowest = []
    for name, url in pages:
        for user in USERS:
            times = measure(login(app, user, PASSWORD), engine, url, args.runs)
            print(report(name, user, times) + "  (ms)")
            slowest += [f"  {name} as {user}:", *slowest_lines(times)]
    print("\nlargest statements by time (median replay):")
    print("\n".join(slowest))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=SERVER,
                        help=f"a PostgreSQL server; the benchmark makes {DATABASE} on it")
    parser.add_argument("--keep", action="store_true", help=f"keep {DATABASE} afterwards")
    parser.add_argument("--base", type=int, default=2000, help="demo leads before copying")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--list-query", default=LIST_QUERY,
                        help="query string of the lead list: filter, sort, page size")
    args = parser.parse_args(argv)
    if args.leads > (MAX_COPIES + 1) * args.base:
        parser.error(f"--leads can be at most {MAX_COPIES + 1} times --base")
    url = fresh_database(args.database_url)
    try:
        app = create_app(Settings(config_dir=CONFIG, database_url=url, secret_key="b" * 48))
        with app.app_context():  # not around requests: they would share its g and session
            engine = state().db.engine
        make_data(app, engine, args)
        run(app, engine, args)
        engine.dispose()
    finally:
        if not args.keep:
            drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
