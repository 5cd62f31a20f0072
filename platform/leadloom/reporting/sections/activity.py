"""The period's movement: new leads by source × grade, won deals (finance-confirmed) and
pending confirmation, and leads lost in the period with their reasons."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.reporting import charts
from leadloom.reporting.context import SectionContext, SectionResult
from leadloom.reporting.sections.leads import CONFIRMED, LOST, money, titles


def period_activity(ctx: SectionContext) -> SectionResult:
    title = ctx.t("本期新增、成交与流失", "New, won and lost this period")
    if not ctx.has("lead", "status"):
        return ctx.missing("period_activity", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("period_activity", title, "lead")
    lead = ctx.models.cls("lead")
    start, end = ctx.bounds()
    new = ctx.session.scalar(sa.select(sa.func.count(lead.id)).where(
        ctx.rows_of("lead"), lead.created_at >= start, lead.created_at < end)) or 0
    by_source = _new_by_source(ctx) if ctx.has("lead", "source", "grade") else None
    data: dict[str, Any] = {"new": new, "by_source": by_source, "lost": _lost(ctx),
                            "won": _won(ctx)}
    chart = charts.bar(ctx.t("本期新增线索（按来源）", "New records by source"),
                       [r["source"] for r in by_source["rows"]] if by_source else [],
                       [(ctx.t("新增", "New"), [r["total"] for r in by_source["rows"]]
                         if by_source else [])], height=260)
    return SectionResult("period_activity", title, data, {"new_by_source": chart})


def _new_by_source(ctx: SectionContext) -> dict[str, Any]:
    lead = ctx.models.cls("lead")
    start, end = ctx.bounds()
    found = ctx.session.execute(
        sa.select(lead.source_id, lead.grade, sa.func.count(lead.id))
        .where(ctx.rows_of("lead"), lead.created_at >= start, lead.created_at < end)
        .group_by(lead.source_id, lead.grade)).all()
    grades = ctx.options("lead", "grade")
    names = titles(ctx, "source", {s for s, _, _ in found})
    rows: dict[Any, dict[str, Any]] = {}
    for source, grade, n in found:
        row = rows.setdefault(source, {"source": names.get(source, ctx.t("（未知）", "(unknown)")),
                                       "grades": dict.fromkeys([g for g, _ in grades], 0),
                                       "none": 0, "total": 0})
        if grade in row["grades"]:
            row["grades"][grade] += n
        else:
            row["none"] += n
        row["total"] += n
    ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["source"]))
    return {"grades": [label for _, label in grades], "grade_codes": [g for g, _ in grades],
            "rows": ordered}


def _lost(ctx: SectionContext) -> dict[str, Any]:
    lead = ctx.models.cls("lead")
    start, end = ctx.bounds()
    where = [ctx.rows_of("lead"), lead.status == LOST, lead.updated_at >= start,
             lead.updated_at < end]
    if not ctx.has("lead", "lost_reason"):
        count = ctx.session.scalar(sa.select(sa.func.count(lead.id)).where(*where)) or 0
        return {"count": count, "reasons": []}
    found = ctx.session.execute(sa.select(lead.lost_reason, sa.func.count(lead.id))
                                .where(*where).group_by(lead.lost_reason)).all()
    reasons = sorted(({"reason": ctx.option("lead", "lost_reason", r), "count": n}
                      for r, n in found), key=lambda r: -r["count"])
    return {"count": sum(r["count"] for r in reasons), "reasons": reasons}


def _won(ctx: SectionContext) -> dict[str, Any]:
    """Contracts signed in the period, by finance status (only ``confirmed`` is won)."""
    if not ctx.has("contract", "finance_status", "sign_date", "amount"):
        return {"note": ctx.t("当前配置没有合同。", "No contracts in this configuration.")}
    if not ctx.may_list("contract"):
        return {"note": ctx.no_access("", "", "contract").note}
    contract = ctx.models.cls("contract")
    confirmed = (sa.func.coalesce(contract.finance_confirmed_amount, contract.amount)
                 if ctx.visible("contract", "finance_confirmed_amount") else contract.amount)
    found = ctx.session.execute(
        sa.select(contract.finance_status, sa.func.count(contract.id),
                  sa.func.sum(contract.amount), sa.func.sum(confirmed))
        .where(ctx.rows_of("contract"), contract.sign_date >= ctx.period.start,
               contract.sign_date < ctx.period.end)
        .group_by(contract.finance_status)).all()
    by_status = {s: {"count": n, "amount": money(a), "confirmed": money(c)}
                 for s, n, a, c in found}
    won = by_status.pop(CONFIRMED, {"count": 0, "amount": 0.0, "confirmed": 0.0})
    others = [{"status": ctx.option("contract", "finance_status", s), **v}
              for s, v in sorted(by_status.items(), key=lambda kv: str(kv[0]))]
    return {"count": won["count"], "amount": won["confirmed"], "others": others}
