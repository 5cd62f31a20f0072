"""The demo data's fingerprint: per table, its row count and a SHA-256 of its rows in
primary-key order, so two runs with the same seed and as-of can be compared byte for byte.

Values the run itself stamps are left out, and only those: password hashes (salted),
the framework's login bookkeeping, and the startup time the app stamps on the rows it
seeds from config (sources, tags) and on their audit entries. Everything the generator
writes is in, ids included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.model.tables import Models

#: tables of the framework and the config store: not demo data
SKIPPED_PREFIXES = ("ab_", "ll_config", "ll_recompute_run", "ll_report", "ll_saved_view",
                    "ll_schedule_run", "ll_import")
#: the demo users, without what a run stamps on them
USER_COLUMNS = ("id", "first_name", "last_name", "username", "active", "email")
#: rows the app seeds from config at startup, stamped with the startup time
SEEDED = ("source", "tag")
STAMPS = frozenset({"created_at", "updated_at"})
AUDIT = "ll_audit"
EXCLUDED = {"ab_user": "password, created_on, changed_on, last_login, login_count, "
                       "fail_login_count",
            "source, tag": "created_at, updated_at (app startup)",
            AUDIT: "at of the source and tag rows' create entries (app startup)"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _digest(rows: Any) -> tuple[int, str]:
    sha = hashlib.sha256()
    count = 0
    for row in rows:
        line = json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False,
                          default=str)
        sha.update(line.encode())
        sha.update(b"\n")
        count += 1
    return count, sha.hexdigest()


def _columns(table: sa.Table) -> list[sa.Column[Any]]:
    if table.name == "ab_user":
        return [table.c[name] for name in USER_COLUMNS]
    if table.name in SEEDED:
        return [c for c in table.columns if c.name not in STAMPS]
    if table.name == AUDIT:
        at = sa.case((table.c.entity.in_(SEEDED), None), else_=table.c.at)
        return [at.label("at") if c.name == "at" else c for c in table.columns]
    return list(table.columns)


def manifest(session: Session, models: Models) -> dict[str, dict[str, Any]]:
    """table name → {"rows": count, "sha256": digest}, for every demo data table."""
    metadata = models.metadata
    names = [*sorted(name for name in metadata.tables
                     if not name.startswith(SKIPPED_PREFIXES)), "ab_user"]
    result: dict[str, dict[str, Any]] = {}
    user_table = sa.Table("ab_user", sa.MetaData(), autoload_with=session.connection())
    for name in names:
        table = user_table if name == "ab_user" else metadata.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        rows = session.execute(sa.select(*_columns(table)).order_by(*order))
        count, digest = _digest(rows)
        result[name] = {"rows": count, "sha256": digest}
    return result


def write_manifest(path: str, header: dict[str, Any], tables: dict[str, Any]) -> None:
    """The manifest as indented JSON, keys sorted (itself byte-stable)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump({**header, "excluded": EXCLUDED, "tables": tables}, out, indent=2,
                  sort_keys=True, ensure_ascii=False)
        out.write("\n")
