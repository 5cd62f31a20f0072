"""Weekly funnel sections: stages with expected amounts, stage conversion, the period's
new / won / lost records, and records stalled beyond the stall limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from leadloom.reporting import charts
from leadloom.reporting.context import SectionContext, SectionResult, ratio
from leadloom.reporting.sections.leads import (
    INVALID,
    WON,
    WORKING,
    expected_amount,
    last_activity,
    money,
)


def funnel_stages(ctx: SectionContext) -> SectionResult:
    """Records and expected amount per stage (lead status), for leads created by the
    period's end."""
    title = ctx.t("各阶段线索与预计金额", "Records and expected amount per stage")
    if not ctx.has("lead", "status"):
        return ctx.missing("funnel_stages", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("funnel_stages", title, "lead")
    lead = ctx.models.cls("lead")
    amount = expected_amount(ctx)
    columns = [lead.status, sa.func.count(lead.id),
               sa.func.sum(amount) if amount is not None else sa.null()]
    _, end = ctx.bounds()
    found = {status: (n, total) for status, n, total in ctx.session.execute(
        sa.select(*columns).where(ctx.rows_of("lead"), lead.created_at < end)
        .group_by(lead.status))}
    total = sum(n for n, _ in found.values())
    stages = [{"code": code, "label": label, "count": found.get(code, (0, 0))[0],
               "amount": money(found.get(code, (0, 0))[1]) if amount is not None else None,
               "share": ratio(found.get(code, (0, 0))[0], total)}
              for code, label in ctx.options("lead", "status")]
    chart = charts.bar(ctx.t("各阶段线索数", "Records per stage"),
                       [s["label"] for s in stages],
                       [(ctx.t("线索数", "Records"), [s["count"] for s in stages])])
    return SectionResult("funnel_stages", title, {
        "stages": stages, "total": total, "amount_visible": amount is not None,
        "total_amount": sum(s["amount"] or 0 for s in stages) if amount is not None else None,
    }, {"stages": chart})


def stage_conversion(ctx: SectionContext) -> SectionResult:
    """Stage-to-stage conversion of the cohort created in the ``cohort_days`` before the
    period's end: created → valid → followed up → converted → won."""
    title = ctx.t("阶段转化率", "Stage-to-stage conversion")
    if not ctx.has("lead", "status"):
        return ctx.missing("stage_conversion", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("stage_conversion", title, "lead")
    lead = ctx.models.cls("lead")
    steps = _steps(ctx)
    _, end = ctx.bounds()
    counts = ctx.session.execute(
        sa.select(*[sa.func.count(lead.id) if cond is None
                    else sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)
                    for _, cond in steps])
        .where(ctx.rows_of("lead"), lead.created_at >= ctx.cohort_start(),
               lead.created_at < end)).one()
    rows: list[dict[str, Any]] = []
    for i, ((label, _), n) in enumerate(zip(steps, counts, strict=True)):
        rows.append({"label": label, "count": int(n),
                     "from_previous": ratio(n, counts[i - 1]) if i else None,
                     "from_start": ratio(n, counts[0])})
    chart = charts.bar(ctx.t("转化漏斗", "Conversion funnel"), [r["label"] for r in rows],
                       [(ctx.t("线索数", "Records"), [r["count"] for r in rows])],
                       height=240)
    return SectionResult("stage_conversion", title, {
        "rows": rows, "cohort_days": ctx.params.cohort_days}, {"funnel": chart})


def _steps(ctx: SectionContext) -> list[tuple[str, sa.ColumnElement[bool] | None]]:
    lead = ctx.models.cls("lead")
    followed = (lead.last_followup_at.is_not(None) if ctx.has("lead", "last_followup_at")
                else lead.status.in_(WORKING))
    converted = lead.status.in_(("converted", WON))
    if ctx.has("lead", "account"):
        converted = sa.or_(converted, lead.account_id.is_not(None))
    valid = lead.status != INVALID
    followed = sa.and_(valid, followed)
    converted = sa.and_(followed, converted)
    return [  # each step within the previous one, so rates never exceed 100 %
        (ctx.t("新建线索", "Created"), None),
        (ctx.t("有效线索", "Valid"), valid),
        (ctx.t("已跟进", "Followed up"), followed),
        (ctx.option("lead", "status", "converted"), converted),
        (ctx.option("lead", "status", WON), sa.and_(converted, lead.status == WON)),
    ]


def stalled_leads(ctx: SectionContext) -> SectionResult:
    """Open leads whose last follow-up is older than ``stall_days`` at the period's end."""
    title = ctx.t("停滞线索", "Stalled records")
    if not ctx.has("lead", "status"):
        return ctx.missing("stalled_leads", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("stalled_leads", title, "lead")
    lead = ctx.models.cls("lead")
    last = last_activity(ctx).label("last")
    limit_at = ctx.as_of - dt.timedelta(days=ctx.params.stall_days)
    where = [ctx.rows_of("lead"), lead.status.in_(WORKING), last_activity(ctx) < limit_at,
             lead.created_at < ctx.as_of]
    total = ctx.session.scalar(sa.select(sa.func.count(lead.id)).where(*where)) or 0
    rows = ctx.session.execute(sa.select(lead, last).where(*where)
                               .order_by(last, lead.id).limit(ctx.params.limit)).unique().all()
    return SectionResult("stalled_leads", title, {
        "total": total, "stall_days": ctx.params.stall_days, "shown": len(rows),
        "rows": lead_rows(ctx, [(r[0], r[1]) for r in rows]),
    })


def lead_rows(ctx: SectionContext, found: list[tuple[Any, dt.datetime | None]]
              ) -> list[dict[str, Any]]:
    """Table rows for leads with their last activity time."""
    owners = ctx.user_names({getattr(r, "owner_id", None) for r, _ in found})
    has_grade = ctx.has("lead", "grade")
    return [{
        "lead_no": getattr(r, "lead_no", None) or f"#{r.id}",
        "customer": getattr(r, ctx.registry.entity("lead").title_field, ""),
        "owner": owners.get(r.owner_id, "—"),
        "grade": ctx.option("lead", "grade", r.grade) if has_grade and r.grade else "—",
        "status": ctx.option("lead", "status", r.status),
        "last": ctx.local_date(last), "idle": ctx.days_since(last),
    } for r, last in found]
