"""Benchmark ``leadloom.imports``: an N-row XLSX list (demo intake leads, 2 % of them
twice in the file, 3 % already stored) imported by supervisor sup1 with every lead rule
on (conversion, validation, numbering, 查重, screening, grading, assignment, audit) ÷ a
plain Core executemany of the same rows (goal ≤ 10×, and ≤ 60 s for 10,000 rows). Same
run, same rows, on SQLite and, with ``--database-url``, on PostgreSQL; the machine's load
(os.getloadavg) beside each figure.

Run from the repository root::

    PYTHONPATH=platform python -m bench.import --leads 10000 \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1/scratch
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from flask import Flask

from bench.bulk_write import app_on, empty
from bench.figures import load, target_line
from bench.lead_rules import acting, intake_rows, time_plain
from leadloom.imports import Importer, ImportOptions, counts, read_sheet, suggest_mapping
from leadloom.web.state import state

#: share of the rows repeated in the file, and already stored before the import
IN_FILE, STORED = 0.02, 0.03


def cell(value: Any) -> Any:
    """A value as a spreadsheet holds it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, Decimal | dt.date):
        return str(value)
    return value


def workbook(rows: list[dict[str, Any]]) -> bytes:
    headers = sorted({k for row in rows for k in row} - {"owner", "need_tags"})
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append([cell(row.get(h)) for h in headers])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def imported(app: Flask, data: bytes, name: str) -> tuple[float, dict[str, int]]:
    with app.app_context():
        ctx = acting(app, "sup1", "import")
        started = time.perf_counter()
        sheet = read_sheet(data, name)
        mapping = suggest_mapping(state().registry, "lead", sheet.headers)
        outcomes = Importer(ctx, "lead", sheet, mapping, ImportOptions()).run()
        return time.perf_counter() - started, counts(outcomes)


def measure(name: str, app: Flask, rows: list[dict[str, Any]]) -> None:
    empty(app)
    plain = time_plain(app, rows)
    print(f"[{name}] plain Core executemany, {len(rows)} leads: {plain:7.2f} s   (load {load()})")
    empty(app)
    stored = rows[: int(len(rows) * STORED)]
    imported(app, workbook(stored), "stored.xlsx")  # leads already there (not timed)
    again = rows[: int(len(rows) * IN_FILE)]
    data = workbook(rows + again)
    seconds, tally = imported(app, data, "expo.xlsx")
    total = len(rows) + len(again)
    print(f"[{name}] import of {total} rows: {seconds:7.2f} s, {total / seconds:6.0f} rows/s "
          f"(load {load()})  {tally}")
    print(f"[{name}] ratio import ÷ plain: {seconds / plain:5.1f}x  (goal ≤ 10x, ≤ 60 s)")
    print(target_line(f"import_vs_executemany[{len(rows)}-{name}]", seconds / plain, "x"))
    print(target_line(f"import_seconds[{len(rows)}-{name}]", seconds, "s"))
    empty(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database to use too")
    parser.add_argument("--quick", action="store_true", help="300 rows: the smoke test")
    args = parser.parse_args(argv)
    leads = 300 if args.quick else args.leads
    with tempfile.TemporaryDirectory(prefix="leadloom-bench-") as tmp:
        folder = Path(tmp)
        rows = intake_rows(app_on(f"sqlite:///{folder / 'rows.db'}"), leads, args.seed)
        measure("sqlite", app_on(f"sqlite:///{folder / 'import.db'}"), rows)
        if args.database_url and sa.make_url(args.database_url).get_backend_name() != "sqlite":
            measure("postgresql", app_on(args.database_url), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
