"""``top_sources_won``: the sources whose leads brought the most money in the period.

Contracts signed in the report's period count with their confirmed amount (finance's,
else the rep's), by their lead's source; only contracts and leads the recipient may see
in the report's unit and team are read (``ctx.rows_of``, as in every built-in section),
and only sources in the recipient's scope (sources are shared: no unit narrows them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.access import scope_clause
from leadloom.plugins import ReportSectionSpec, hookimpl
from leadloom.reporting import SectionContext, SectionResult

NAME = "top_sources_won"


def top_sources_won(ctx: SectionContext, limit: int) -> SectionResult:
    title = ctx.t(f"成交金额前 {limit} 的来源渠道", f"Top {limit} sources by amount won")
    if not (ctx.has("contract", "lead", "amount", "sign_date") and ctx.has("lead", "source")):
        return ctx.missing(NAME, title)
    if not (ctx.may_list("contract") and ctx.may_list("lead")):
        return ctx.no_access(NAME, title, "contract")
    lead, contract = ctx.models.cls("lead"), ctx.models.cls("contract")
    source = ctx.models.cls("source")
    amount = (sa.func.coalesce(contract.finance_confirmed_amount, contract.amount)
              if ctx.has("contract", "finance_confirmed_amount") else contract.amount)
    name = getattr(source, ctx.registry.entity("source").title_field)
    total = sa.func.sum(amount)
    found = ctx.session.execute(
        sa.select(name, sa.func.count(contract.id), total)
        .join(lead, contract.lead_id == lead.id).join(source, lead.source_id == source.id)
        .where(ctx.rows_of("contract"), ctx.rows_of("lead"),
               scope_clause(ctx.models, ctx.actor, "source"),
               contract.sign_date >= ctx.period.start, contract.sign_date < ctx.period.end)
        .group_by(name).order_by(total.desc(), name).limit(limit)).all()
    rows = [{"source": str(n), "contracts": c, "amount": float(a or 0)} for n, c, a in found]
    return SectionResult(NAME, title, {"rows": rows, "amount": sum(r["amount"] for r in rows)},
                         note=None if rows else ctx.t("本期没有签约合同。",
                                                      "No contract was signed in the period."))


@hookimpl
def leadloom_report_sections(settings: dict[str, Any]) -> list[ReportSectionSpec]:
    limit = int(settings.get("limit", 10))
    return [ReportSectionSpec(NAME, lambda ctx: top_sources_won(ctx, limit),
                              "top_sources_won.html")]
