"""``leadloom demo-data --check``: the calibration targets of domain.md §3.12 (and the
demo's own invariants), each measured by SQL on the database.

A share's tolerance is the recipe's, widened to three standard errors of the sample when
that is larger, so the check holds for a 1k-lead demo as for 100k.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.demo.firmographics import SOURCES
from leadloom.demo.workdays import to_utc
from leadloom.model.sla_records import SLA_RECORD_TABLE
from leadloom.model.tables import Models

OPEN_STAGES = ("capture", "discovery", "solution", "negotiation", "signing")


@dataclass(frozen=True, slots=True)
class Result:
    """One target, what the data shows, and whether it is within tolerance."""

    name: str
    target: str
    measured: float
    ok: bool
    #: a share, printed as a percentage like its target
    share: bool = False

    def __str__(self) -> str:
        value = f"{self.measured:.1%}" if self.share else f"{self.measured:.4g}"
        return (f"{'ok ' if self.ok else 'OFF'}  {self.name:<42} target {self.target:<16} "
                f"measured {value}")


def _share(name: str, part: int, whole: int, target: float, tol: float) -> Result:
    """``part / whole`` against ``target`` ± max(``tol``, 3 standard errors)."""
    value = part / whole if whole else 0.0
    wide = max(tol, 3 * math.sqrt(target * (1 - target) / whole)) if whole else tol
    return Result(name, f"{target:.1%} ± {wide:.1%}", value, abs(value - target) <= wide,
                  share=True)


def _range(name: str, part: int, whole: int, low: float, high: float) -> Result:
    value = part / whole if whole else 0.0
    se = 3 * math.sqrt(low * (1 - low) / whole) if whole else 0.0
    return Result(name, f"{low:.0%}–{high:.0%}", value, low - se <= value <= high + se,
                  share=True)


def _expected_grades() -> dict[str, float]:
    """The recipe's grade mix of valid leads, over the sources' shares and invalid rates."""
    weights = {g: 0.0 for g in "ABC"}
    for source in SOURCES:
        valid = source.share * (1 - source.invalid_rate)
        total = sum(source.grades)
        for grade, part in zip("ABC", source.grades, strict=True):
            weights[grade] += valid * part / total
    whole = sum(weights.values())
    return {g: w / whole for g, w in weights.items()}


def calibration(session: Session, models: Models, as_of: dt.datetime) -> list[Result]:
    """Every target with its measured value (``as_of``: the data's end, Shanghai time)."""
    lead = models.cls("lead").__table__
    contract = models.cls("contract").__table__

    def count(*where: sa.ColumnElement[bool]) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(lead).where(*where)) or 0

    total = count()
    invalid = count(lead.c.status == "invalid")
    valid = total - invalid
    opportunities = count(lead.c.account_id.is_not(None))
    won = session.scalar(sa.select(sa.func.count(sa.distinct(contract.c.lead_id)))) or 0
    closed_opps = count(lead.c.account_id.is_not(None),
                        lead.c.stage.in_(("lost", "signing", "after_sales")))
    stale_before = to_utc(as_of) - dt.timedelta(days=30)
    open_ = (lead.c.stage.in_(OPEN_STAGES), lead.c.status.notin_(("invalid", "nurturing")))
    open_count = count(*open_)
    stale = count(*open_, sa.func.coalesce(lead.c.last_followup_at, lead.c.created_at)
                  < stale_before)
    unset_sla = count(lead.c.owner_id.is_not(None), sa.or_(
        lead.c.assigned_at.is_(None), lead.c.first_touch_due_at.is_(None)))
    sla = models.metadata.tables[SLA_RECORD_TABLE]
    without_sla = count(lead.c.first_contact_at.is_not(None),
                        lead.c.first_touch_due_at.is_not(None), ~sa.exists().where(
                            sla.c.lead_id == lead.c.id, sla.c.kind == "first_touch"))
    results = [
        _share("invalid share of leads", invalid, total, 0.225, 0.02),
        _share("valid leads → opportunity", opportunities, valid, 0.175, 0.02),
        _share("opportunity win rate (closed)", won, closed_opps, 0.31, 0.03),
        _share("lead → won (M-04)", won, total, 0.042, 0.004),
        _range("open leads with no follow-up for 30+ days", stale, open_count, 0.08, 0.12),
        Result("assigned leads without SLA fields", "0", unset_sla, unset_sla == 0),
        Result("contacted leads without first-touch SLA", "0", without_sla,
               without_sla == 0),
    ]
    graded = count(lead.c.grade.is_not(None))
    for grade, share in _expected_grades().items():
        results.append(_share(f"grade {grade} share of graded leads",
                              count(lead.c.grade == grade), graded, share, 0.02))
    results += _amounts(session, contract)
    return results


def _amounts(session: Session, contract: sa.Table) -> list[Result]:
    """客单价 (M-05): mean 27万 ± 3 and median 12万 ± 1.5, widened by the sample's error."""
    amounts = sorted(float(a) / 10_000 for a in session.scalars(sa.select(contract.c.amount)))
    if not amounts:
        return [Result("won deals", "> 0", 0, False)]
    n = len(amounts)
    mean = sum(amounts) / n
    sd = math.sqrt(sum((a - mean) ** 2 for a in amounts) / max(n - 1, 1))
    median = amounts[n // 2] if n % 2 else (amounts[n // 2 - 1] + amounts[n // 2]) / 2
    mean_tol = max(3.0, 3 * sd / math.sqrt(n))
    median_tol = max(1.5, 3 * 1.2533 * sd / math.sqrt(n) / 2)
    return [Result("deal size mean (万)", f"27 ± {mean_tol:.1f}", mean,
                   abs(mean - 27.0) <= mean_tol),
            Result("deal size median (万)", f"12 ± {median_tol:.1f}", median,
                   abs(median - 12.0) <= median_tol)]
