"""The stale-lead list: open leads not updated for ``stale_days`` or more, by owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from leadloom.reporting import charts
from leadloom.reporting.context import SectionContext, SectionResult
from leadloom.reporting.sections.funnel import lead_rows
from leadloom.reporting.sections.leads import OPEN


def stale_leads(ctx: SectionContext) -> SectionResult:
    title = ctx.t("长期未更新线索", "Leads not updated for a long time")
    if not ctx.has("lead", "status"):
        return ctx.missing("stale_leads", title)
    if not ctx.may_list("lead"):
        return ctx.no_access("stale_leads", title, "lead")
    lead = ctx.models.cls("lead")
    limit_at = ctx.as_of - dt.timedelta(days=ctx.params.stale_days)
    where = [ctx.rows_of("lead"), lead.status.in_(OPEN), lead.updated_at < limit_at,
             lead.created_at < ctx.as_of]
    counts: dict[Any, int] = dict(ctx.session.execute(
        sa.select(lead.owner_id, sa.func.count(lead.id)).where(*where)
        .group_by(lead.owner_id)).all())
    found = ctx.session.scalars(sa.select(lead).where(*where)
                                .order_by(lead.owner_id, lead.updated_at, lead.id)
                                .limit(ctx.params.limit)).unique().all()
    names = ctx.user_names(set(counts))
    rows = lead_rows(ctx, [(r, r.updated_at) for r in found])
    owners: dict[Any, dict[str, Any]] = {}
    for record, row in zip(found, rows, strict=True):
        owners.setdefault(record.owner_id, {"rows": []})["rows"].append(row)
    groups = sorted(({"owner": names.get(o, ctx.t("（无负责人）", "(no owner)")), "count": n,
                      "rows": owners.get(o, {"rows": []})["rows"]}
                     for o, n in counts.items()), key=lambda g: (-g["count"], g["owner"]))
    chart = charts.bar(ctx.t("各负责人长期未更新线索数", "Stale leads per owner"),
                       [g["owner"] for g in groups],
                       [(ctx.t("线索数", "Leads"), [g["count"] for g in groups])],
                       height=240)
    return SectionResult("stale_leads", title, {
        "groups": groups, "total": sum(counts.values()), "shown": len(found),
        "stale_days": ctx.params.stale_days,
        "as_of": min(ctx.local_date(ctx.as_of) or ctx.period.last_day, ctx.period.last_day),
    }, {"owners": chart})
