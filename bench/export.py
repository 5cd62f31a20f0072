"""Benchmark list exports (``leadloom.exports``) against writing the same rows raw.

One query — every lead admin sees (the one read scope: all), newest first, the lead
list's columns — exported four ways in the same run, each into a temporary file:

- ``export csv`` / ``export xlsx``: ``exports.export_rows`` (option labels, names and
  titles read per batch, money in 元, local times, inert text; XLSX typed cells);
- ``raw csv`` / ``raw xlsx`` (the baselines): the same statement's rows fetched in the same
  batches and written as they come with ``csv.writer`` / openpyxl's write-only sheet, no
  labels, no look-ups.

Printed per variant: seconds, rows/s, the ratio to its baseline, and the peak of Python
memory (tracemalloc, in a second run so the timed one pays no tracing) — flat in the row
count when the export streams. Nothing is written to the database: the export's audit row
is rolled back, so an existing database is used read-only.

Data: ``leadloom_bench_rest_<N>`` on the server of ``--database-url`` when it exists
(``bench/rest_list.py``'s), else a new database ``leadloom_bench_export_<N>`` (SQLite: a
temporary file) filled by ``generate_demo`` and dropped at the end::

    PYTHONPATH=platform python -m bench.export --leads 100000
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.figures import load, target_line
from leadloom.access import Actor, scope_clause
from leadloom.exports import ExportRequest, Wording, export_rows
from leadloom.exports.service import BATCH
from leadloom.metadata import load_registry
from leadloom.model.tables import Models, build_models
from leadloom.records import Context

CONFIG = Path(__file__).resolve().parents[1] / "config"
SERVER = "postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/postgres"
SECRET = "bench-export-" + "x" * 40


@contextmanager
def database(url: str, leads: int) -> Iterator[str]:
    """``bench/rest_list.py``'s database of ``leads`` when there is one (used read-only),
    else a new one with a demo of ``leads`` leads, dropped afterwards."""
    server = sa.make_url(url)
    if server.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="leadloom-bench-export-") as tmp:
            made = f"sqlite:///{Path(tmp) / 'export.db'}"
            fill(made, leads)
            yield made
        return
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = set(conn.scalars(sa.text("SELECT datname FROM pg_database")))
    shared = f"leadloom_bench_rest_{leads}"
    if shared in names:
        admin.dispose()
        yield server.set(database=shared).render_as_string(hide_password=False)
        return
    name = f"leadloom_bench_export_{leads}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    made = server.set(database=name).render_as_string(hide_password=False)
    try:
        fill(made, leads)
        yield made
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(url: str, leads: int) -> None:
    from leadloom.demo import generate_demo
    from leadloom.settings import Settings
    from leadloom.web import create_app

    app = create_app(Settings(config_dir=CONFIG, database_url=url, secret_key=SECRET),
                     testing=True)
    with app.app_context():
        generate_demo(app, leads=leads, seed=7, password="bench-export")
        app.extensions["leadloom"].db.engine.dispose()


def admin_actor(session: Session) -> Actor:
    user_id = session.scalar(sa.text("SELECT id FROM ab_user WHERE username = 'admin'"))
    return Actor(user_id, "admin", ("admin",))


def export_run(session: Session, models: Models, statement: sa.Select[Any],
               columns: list[str], fmt: str) -> int:
    registry = models.registry
    lead = registry.entity("lead")
    ctx = Context(admin_actor(session), session, models, channel="bench")
    request = ExportRequest("lead", fmt, columns, {f.code: f.label.zh for f in lead.fields},
                            Wording("zh", "是", "否"), exporter="admin", at="2026-12-01 10:32")
    with tempfile.TemporaryFile() as out:
        rows = export_rows(ctx, request, statement, out).rows
    session.rollback()  # the audit row: the database stays as it was
    return rows


def raw_run(session: Session, models: Models, statement: sa.Select[Any],
            columns: list[str], fmt: str) -> int:
    """The baseline: the same rows, the same batches, written as they come."""
    table = models.cls("lead").__table__
    lead = models.registry.entity("lead")
    names = ["id", *(lead.field(c).column if lead.has_field(c) else "owner_id"
                     for c in columns)]
    selected = statement.with_only_columns(*(table.c[n] for n in dict.fromkeys(names)))
    result = session.execute(selected.execution_options(yield_per=BATCH))
    rows = 0
    with tempfile.TemporaryFile() as out:
        if fmt == "csv":
            with open(out.fileno(), "w", encoding="utf-8-sig", newline="", closefd=False) as text:
                writer = csv.writer(text)
                writer.writerow(names)
                for batch in result.partitions():
                    writer.writerows(batch)
                    rows += len(batch)
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("lead")
            sheet.append(names)
            for batch in result.partitions():
                for row in batch:
                    sheet.append(list(row))
                rows += len(batch)
            book.save(out)
    session.rollback()
    return rows


def timed(run: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    rows = run()
    return rows, time.perf_counter() - started


def peak_mb(run: Callable[[], int]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database-url", default=SERVER)
    args = parser.parse_args(argv)
    registry = load_registry(CONFIG)
    models = build_models(registry)
    lead = registry.entity("lead")
    columns = [f.code for f in lead.fields if f.list] + ["owner"]
    with database(args.database_url, args.leads) as url:
        engine = sa.create_engine(url)
        with Session(engine) as session:
            cls = models.cls("lead")
            statement = (sa.select(cls).where(scope_clause(models, admin_actor(session),
                                                           "lead")).order_by(cls.id.desc()))
            print(f"leads export: {url.rsplit('/', 1)[-1]}, {len(columns)} columns, "
                  f"load {load()}")
            for fmt in ("csv", "xlsx"):  # warm-up: imports, the first statements
                raw_run(session, models, statement.limit(50), columns, fmt)
                export_run(session, models, statement.limit(50), columns, fmt)
            for fmt in ("csv", "xlsx"):
                raw_rows, raw_s = timed(lambda f=fmt: raw_run(session, models, statement,
                                                              columns, f))
                rows, export_s = timed(lambda f=fmt: export_run(session, models, statement,
                                                                columns, f))
                raw_peak = peak_mb(lambda f=fmt: raw_run(session, models, statement, columns, f))
                peak = peak_mb(lambda f=fmt: export_run(session, models, statement, columns, f))
                assert rows == raw_rows, (rows, raw_rows)
                print(f"{fmt}: raw {raw_s:.2f} s ({raw_rows / raw_s:,.0f} rows/s, peak "
                      f"{raw_peak:.1f} MB) · export {export_s:.2f} s "
                      f"({rows / export_s:,.0f} rows/s, peak {peak:.1f} MB) · "
                      f"ratio {export_s / raw_s:.2f}x · {rows} rows · load {load()}")
                print(target_line(f"export_{fmt}_rows_per_s[{rows}]", rows / export_s,
                                  "rows/s"))
                print(target_line(f"export_{fmt}_vs_raw[{rows}]", export_s / raw_s, "x"))
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
