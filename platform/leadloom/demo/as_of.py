"""Which as-of a ``--check`` measures against when it is not given: the run's own, the
one a manifest of the run recorded, or, from the data alone, the day of its latest
follow-up (said so, since a period that ends on a holiday ends after it)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.demo.workdays import AS_OF, SHANGHAI_OFFSET
from leadloom.model.tables import Models


@dataclass(frozen=True, slots=True)
class AsOf:
    """The moment (Shanghai time) and where it came from, for the check's first line."""

    moment: dt.datetime
    origin: str

    def __str__(self) -> str:
        return f"calibration as of {self.moment:%Y-%m-%d %H:%M} ({self.origin})"


def check_as_of(given: dt.datetime | None, generated: bool, manifest_path: str | None,
                session: Session, models: Models) -> AsOf:
    """``given`` (``--as-of``) wins; data made by this run has the run's as-of; else the
    manifest's, else an estimate from the data."""
    if given is not None:
        return AsOf(given, "--as-of")
    if generated:
        return AsOf(AS_OF, "the as-of this run generated with")
    recorded = _from_manifest(manifest_path)
    if recorded is not None:
        return AsOf(recorded, f"from {manifest_path}")
    lead = models.cls("lead").__table__
    latest = session.scalar(sa.select(sa.func.max(sa.func.coalesce(
        lead.c.last_followup_at, lead.c.created_at))))
    if latest is None:
        return AsOf(AS_OF, "no leads: the default")
    day = (latest + SHANGHAI_OFFSET).date()
    return AsOf(dt.datetime.combine(day, AS_OF.time()),
                "estimated from the latest follow-up: give the --as-of the data was made "
                "with, or --manifest of that run, for exact figures")


def _from_manifest(path: str | None) -> dt.datetime | None:
    if not path or not Path(path).is_file():
        return None
    try:
        text = json.loads(Path(path).read_text(encoding="utf-8")).get("as_of")
        return dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except (ValueError, AttributeError):
        return None
