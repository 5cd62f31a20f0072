"""An import run as its page shows it: the progress bar while the job runs, then the
counts per outcome, a link to the records it created and the error file's link.

The page polls ``run_state`` (JSON) and reloads itself when the run has ended; a run that
an inline job finished before the first view is shown ended straight away.
"""

from __future__ import annotations

from typing import Any

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.web.labels import local_time
from leadloom.web.language import translated

#: the outcomes in the order the result lists them, with how each reads
OUTCOMES = (
    ("created", Message("Rows created")),
    ("updated", Message("Rows that updated a record")),
    ("flagged", Message("Rows created, flagged as possible duplicates")),
    ("skipped", Message("Rows skipped")),
    ("refused", Message("Rows refused")),
)
#: what a run's status reads as on its page
STATUSES = {
    "queued": Message("Waiting to start"),
    "running": Message("Importing rows"),
    "done": Message("Import finished"),
    "failed": Message("Stopped by an error"),
}
#: the statuses after which nothing changes any more
ENDED = ("done", "failed")


def run_state(run: Any) -> dict[str, Any]:
    """What the progress bar needs: status, rows handled of all, percent, ended or not."""
    total = run.total or 0
    processed = min(run.processed or 0, total) if total else 0
    return {"status": run.status, "label": translated(STATUSES.get(run.status, run.status)),
            "total": total, "processed": processed,
            "percent": 100 if run.status in ENDED else (processed * 100 // total if total
                                                        else 0),
            "ended": run.status in ENDED}


def run_page(entity: Entity, run: Any) -> dict[str, Any]:
    """The template's values for ``run``: its state, and once ended its counts, the link to
    the records it created (the list, filtered to the day it ran) and whether an error file
    exists."""
    counts = dict(run.counts or {})
    shown = [(code, translated(label), int(counts.get(code, 0))) for code, label in OUTCOMES]
    day = local_time(run.created_at).date().isoformat() if run.created_at else ""
    created = int(counts.get("created", 0)) + int(counts.get("flagged", 0))
    return {"run": run, "state": run_state(run), "counts": shown,
            "records_url": f"/{entity.code}/list/?created_at={day}..{day}" if day and created
            else "",
            "has_errors": int(counts.get("skipped", 0)) + int(counts.get("refused", 0)) > 0,
            "error": translated(run.error) if getattr(run, "error", None) else ""}
