"""Benchmark the lists' query (count + page of 50) with the indexes the config declares
against the indexes leadloom had before (``model.indexes``), on PostgreSQL.

The lists measured are the ones reps and supervisors open every day, each as its reader
sees it (scope, shared view, hidden statuses: ``workflow.day_lists.Lists.clause``, the
same clause the list page and the home page count with):

- rep1, "overdue follow-ups" (``owner = me``, running stages, due before now), sorted by
  ``next_followup_due_at``;
- sup1, "due today" of the team, sorted by ``next_followup_due_at``;
- admin, ``grade = A``, newest first (the default order);
- admin, all leads, newest first.

For each: the median and p95 of ``--runs`` runs of the count (``model.counts.count_rows``,
exact up to 10,000) plus the page, with the indexes and then with only the indexes leadloom
had before (owner, unit, links, ``index: true``), after ``ANALYZE``; the ratio of both
medians, and the plan (``EXPLAIN ANALYZE``) of each page query. The indexes are put back
by the schema plan at the end (the plan's ``index`` steps are counted). The machine's load
(``os.getloadavg()``) is printed next to every figure.

Data: an existing database made with ``leadloom demo-data --leads N`` (``--database-url``),
e.g.::

    createdb -h 127.0.0.1 -U leadloom ll_bench
    LEADLOOM_DATABASE_URL=postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/ll_bench \\
        leadloom demo-data --leads 10000
    PYTHONPATH=platform python bench/list_indexes.py \\
        --database-url postgresql+psycopg://leadloom:leadloom@127.0.0.1:5432/ll_bench
    dropdb -h 127.0.0.1 -U leadloom ll_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.access import Actor
from leadloom.lifecycle import active_registry
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.model import build_models, migrate
from leadloom.model.counts import count_rows
from leadloom.model.tables import Models
from leadloom.settings import Settings
from leadloom.web.leads import hidden_statuses
from leadloom.workflow.day_lists import Link, Lists

PAGE = 50
EXACT_LIMIT = Settings().exact_count_limit
TABLES = ("lead", "task")


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    user: str
    link: Link
    order: str
    descending: bool = False


CASES = (
    Case("rep1 overdue follow-ups", "rep1", Link("lead", (("owner", "me"),), "overdue"),
         "next_followup_due_at"),
    Case("sup1 team due today", "sup1", Link("lead", (("owner", "my_team"),), "due_today"),
         "next_followup_due_at"),
    Case("admin grade A, newest", "admin", Link("lead", (("grade", "A"),)), "id", True),
    Case("admin all leads, newest", "admin", Link("lead"), "id", True),
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def actor(conn: sa.Connection, username: str) -> Actor:
    row = conn.execute(sa.text(
        "SELECT u.id, o.team, o.unit, array_agg(r.name) FROM ab_user u "
        "LEFT JOIN ll_user_org o ON o.user_id = u.id "
        "JOIN ab_user_role ur ON ur.user_id = u.id JOIN ab_role r ON r.id = ur.role_id "
        "WHERE u.username = :u GROUP BY u.id, o.team, o.unit"), {"u": username}).one()
    return Actor(row[0], username, tuple(row[3]), row[1], row[2])


def page_query(models: Models, lists: Lists, case: Case) -> sa.Select[Any]:
    table = models.metadata.tables[case.link.entity]
    order = table.c[case.order].desc() if case.descending else table.c[case.order]
    return sa.select(table).where(lists.clause(case.link)).order_by(order, table.c.id).limit(PAGE)


def timed(run: Callable[[], Any], runs: int) -> list[float]:
    run()  # warm-up
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        found.append((time.perf_counter() - started) * 1000)
    return found


def p95(values: list[float]) -> float:
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def measure(session: Session, models: Models, case: Case, runs: int) -> tuple[float, int, str]:
    """(median ms of count + page, the count, the page's plan)."""
    reader = actor(session.connection(), case.user)
    lists = Lists(session, models, reader, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                  lambda entity, status: hidden_statuses(models.registry, entity, reader,
                                                          status))
    query = page_query(models, lists, case)
    counted = sa.select(models.metadata.tables[case.link.entity].c.id).where(
        lists.clause(case.link))
    found: dict[str, int] = {}

    def run() -> None:
        found["count"] = count_rows(session, counted, EXACT_LIMIT)
        session.execute(query).all()

    times = timed(run, runs)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")))
    print(f"  {case.name:<28} median {statistics.median(times):8.2f} ms  p95 "
          f"{p95(times):8.2f} ms  count {found['count']:>7}  ({load()})")
    return statistics.median(times), found["count"], plan


def before_indexes(entity: Entity) -> set[str]:
    """The single-column indexes leadloom declared before ``model.indexes``."""
    columns = {"owner_id", "unit"} | {
        f.column for f in entity.fields if f.column and not f.unique and (
            f.index or f.type in (FieldType.REFERENCE, FieldType.USER))}
    return {f"ix_{entity.table}_{c}" for c in columns}


def strip_to_before(engine: sa.Engine, models: Models) -> int:
    """Drop the indexes ``model.indexes`` added; create the old single ones it replaced."""
    dropped = 0
    with engine.begin() as conn:
        for name in TABLES:
            old = before_indexes(models.registry.entity(name))
            present = {i["name"] for i in sa.inspect(conn).get_indexes(name) if not i["unique"]}
            for index in present - old:
                conn.execute(sa.text(f'DROP INDEX "{index}"'))
                dropped += 1
            for index in old - present:
                column = index.removeprefix(f"ix_{name}_")
                conn.execute(sa.text(f'CREATE INDEX "{index}" ON "{name}" ("{column}")'))
        conn.execute(sa.text("ANALYZE lead; ANALYZE task"))
    return dropped


def run_all(session: Session, models: Models, runs: int) -> dict[str, tuple[float, int, str]]:
    results = {case.name: measure(session, models, case, runs) for case in CASES}
    session.rollback()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("LEADLOOM_DATABASE_URL"),
                        required="LEADLOOM_DATABASE_URL" not in os.environ)
    parser.add_argument("--config", default="config")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    engine = sa.create_engine(args.database_url)
    registry = active_registry(engine, Settings(config_dir=args.config).config_dir)
    models = build_models(registry)
    with engine.begin() as conn:
        leads = conn.scalar(sa.text("SELECT count(*) FROM lead"))
        conn.execute(sa.text("ANALYZE lead; ANALYZE task"))
    print(f"{leads} leads; count + page of {PAGE}, median of {args.runs} runs ({load()})")
    print("with the indexes from config:")
    with Session(engine) as session:
        indexed = run_all(session, models, args.runs)
    dropped = strip_to_before(engine, models)
    print(f"with the indexes of before ({dropped} dropped):")
    with Session(engine) as session:
        before = run_all(session, models, args.runs)
    restored = migrate(engine, models, previous=registry)
    steps = [line for line in restored.lines() if line.startswith("index")]
    print(f"schema plan put {len(steps)} indexes back ({load()})")
    print("ratios (before ÷ with indexes):")
    for case in CASES:
        ratio = before[case.name][0] / indexed[case.name][0]
        same = "same count" if before[case.name][1] == indexed[case.name][1] else "COUNTS DIFFER"
        print(f"  {case.name:<28} {ratio:6.1f}×  ({same})")
    for case in CASES:
        for label, results in (("with indexes", indexed), ("before", before)):
            print(f"\nEXPLAIN ANALYZE, {case.name}, {label}:")
            print("\n".join("  " + line for line in results[case.name][2].splitlines()[:8]))
    engine.dispose()


if __name__ == "__main__":
    main()
