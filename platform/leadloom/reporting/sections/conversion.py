"""Monthly review sections: the conversion summary (M-01, M-02, M-04, M-05, M-11), win
rate by follow-up method (M-07) and the reasons leads were lost (M-17)."""

from __future__ import annotations

import statistics
from typing import Any

import sqlalchemy as sa

from leadloom.reporting import charts
from leadloom.reporting.context import SectionContext, SectionResult, ratio
from leadloom.reporting.sections.dimensions import cohort
from leadloom.reporting.sections.leads import (
    CONFIRMED,
    INVALID,
    LOST,
    NO_RESPONSE,
    WON,
    money,
)


def conversion_summary(ctx: SectionContext) -> SectionResult:
    title = ctx.t("转化概览", "Conversion at a glance")
    if not ctx.has("lead", "status"):
        return ctx.missing("conversion_summary", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("conversion_summary", title, "lead")
    lead = ctx.models.cls("lead")
    start, end = ctx.bounds()
    total, valid, won = ctx.session.execute(sa.select(
        sa.func.count(lead.id), sa.func.sum(sa.case((lead.status != INVALID, 1), else_=0)),
        sa.func.sum(sa.case((lead.status == WON, 1), else_=0))).where(*cohort(ctx))).one()
    new = ctx.session.scalar(sa.select(sa.func.count(lead.id)).where(
        ctx.rows_of("lead"), lead.created_at >= start, lead.created_at < end)) or 0
    data: dict[str, Any] = {
        "new": new, "cohort": total, "valid": int(valid or 0), "won": int(won or 0),
        "conversion": ratio(won, total), "conversion_valid": ratio(won, valid),
        "cohort_days": ctx.params.cohort_days,
        **_responses(ctx), **_cycle(ctx), **_deals(ctx),
        "unseen": [ctx.label(ctx.registry.entity(e).label) for e in ("followup", "contract")
                   if ctx.has(e) and not ctx.may_list(e)],
    }
    return SectionResult("conversion_summary", title, data)


def _responses(ctx: SectionContext) -> dict[str, Any]:
    """M-01 response rate and M-11 follow-ups per lead, over the cohort's follow-ups."""
    if not (ctx.may_list("followup") and ctx.has("followup", "lead", "customer_feedback")):
        return {"response_rate": None, "followups_per_lead": None}
    lead, followup = ctx.models.cls("lead"), ctx.models.cls("followup")
    responded = sa.case((followup.customer_feedback.not_in(NO_RESPONSE), lead.id))
    followed, answered, touches = ctx.session.execute(
        sa.select(sa.func.count(sa.distinct(lead.id)), sa.func.count(sa.distinct(responded)),
                  sa.func.count(followup.id))
        .join(lead, followup.lead_id == lead.id)
        .where(*cohort(ctx), ctx.rows_of("followup"))).one()
    return {"response_rate": ratio(answered, followed),
            "followups_per_lead": ratio(touches, followed), "followed": followed}


def _cycle(ctx: SectionContext) -> dict[str, Any]:
    """M-02: days from a lead's creation to its first signed contract, over won leads."""
    if not (ctx.may_list("contract") and ctx.has("contract", "lead", "sign_date")):
        return {"cycle_mean": None, "cycle_median": None}
    lead, contract = ctx.models.cls("lead"), ctx.models.cls("contract")
    found = ctx.session.execute(
        sa.select(lead.created_at, sa.func.min(contract.sign_date))
        .join(contract, contract.lead_id == lead.id)
        .where(*cohort(ctx), ctx.rows_of("contract"), lead.status == WON)
        .group_by(lead.id, lead.created_at)).all()
    days = [max(0, (signed - ctx.local_date(created)).days) for created, signed in found
            if signed is not None and created is not None]
    return {"cycle_mean": statistics.fmean(days) if days else None,
            "cycle_median": statistics.median(days) if days else None}


def _deals(ctx: SectionContext) -> dict[str, Any]:
    """M-05 客单价: confirmed amount per confirmed deal, signed in the period and in the
    cohort window."""
    if not (ctx.may_list("contract") and ctx.has("contract", "finance_status", "sign_date")):
        return {"deals": None}
    contract = ctx.models.cls("contract")
    amount = sa.func.coalesce(contract.finance_confirmed_amount, contract.amount)
    since = ctx.local_date(ctx.cohort_start())

    def sums(first: Any) -> dict[str, Any]:
        n, total = ctx.session.execute(sa.select(sa.func.count(contract.id), sa.func.sum(amount))
                                       .where(ctx.rows_of("contract"),
                                              contract.finance_status == CONFIRMED,
                                              contract.sign_date >= first,
                                              contract.sign_date < ctx.period.end)).one()
        return {"count": n, "amount": money(total), "avg": money(total) / n if n else None}

    return {"deals": {"period": sums(ctx.period.start), "cohort": sums(since)}}


def by_method(ctx: SectionContext) -> SectionResult:
    """M-07: win rate of cohort leads with at least one follow-up of each method."""
    title = ctx.t("按跟进方式", "By follow-up method")
    if not ctx.has("followup", "lead", "method") or not ctx.has("lead", "status"):
        return ctx.missing("by_method", title)
    if not (ctx.may_list("followup") and ctx.may_list("lead")):
        return ctx.no_access("by_method", title, "followup")
    lead, followup = ctx.models.cls("lead"), ctx.models.cls("followup")
    won = sa.case((lead.status == WON, lead.id))
    found = ctx.session.execute(
        sa.select(followup.method, sa.func.count(sa.distinct(lead.id)),
                  sa.func.count(sa.distinct(won)), sa.func.count(followup.id))
        .join(lead, followup.lead_id == lead.id)
        .where(*cohort(ctx), ctx.rows_of("followup")).group_by(followup.method)).all()
    rows = sorted(({"label": ctx.option("followup", "method", m), "leads": n, "won": w,
                    "touches": t, "win_rate": ratio(w, n)} for m, n, w, t in found),
                  key=lambda r: -r["leads"])
    chart = charts.bar(ctx.t("各跟进方式成交率", "Win rate by method"),
                       [r["label"] for r in rows],
                       [(ctx.t("成交率", "Win rate"), [r["win_rate"] or 0 for r in rows])],
                       percent=True, height=240)
    return SectionResult("by_method", title, {"rows": rows}, {"win_rate": chart})


def lost_reasons(ctx: SectionContext) -> SectionResult:
    """M-17: why the cohort's lost leads were lost."""
    title = ctx.t("未成交原因", "Lost reasons")
    if not ctx.has("lead", "status", "lost_reason"):
        return ctx.missing("lost_reasons", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("lost_reasons", title, "lead")
    lead = ctx.models.cls("lead")
    found = ctx.session.execute(sa.select(lead.lost_reason, sa.func.count(lead.id))
                                .where(*cohort(ctx), lead.status == LOST)
                                .group_by(lead.lost_reason)).all()
    total = sum(n for _, n in found)
    rows = sorted(({"label": ctx.option("lead", "lost_reason", r), "count": n,
                    "share": ratio(n, total)} for r, n in found), key=lambda r: -r["count"])
    chart = charts.pie(ctx.t("未成交原因分布", "Lost reasons"),
                       [(r["label"], r["count"]) for r in rows])
    return SectionResult("lost_reasons", title, {"rows": rows, "total": total},
                         {"reasons": chart})
