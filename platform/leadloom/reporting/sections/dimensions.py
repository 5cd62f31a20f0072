"""Conversion by source, rep and industry (M-04, M-06, M-08, M-14) over the cohort.

One row per value: leads, valid leads, won leads, conversion, its distance from the
overall conversion, confirmed amount and 客单价 (confirmed amount per won deal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from leadloom.reporting import charts
from leadloom.reporting.context import SectionContext, SectionResult, ratio
from leadloom.reporting.sections.leads import CONFIRMED, INVALID, WON, money, titles

Labeler = Callable[[SectionContext, set[Any]], dict[Any, str]]


def by_source(ctx: SectionContext) -> SectionResult:
    title = ctx.t("按来源渠道", "By source")
    return _section(ctx, "by_source", title, "source", "source_id",
                    lambda c, ids: titles(c, "source", ids))


def by_rep(ctx: SectionContext) -> SectionResult:
    title = ctx.t("按销售人员", "By rep")
    return _section(ctx, "by_rep", title, None, "owner_id", lambda c, ids: c.user_names(ids))


def by_industry(ctx: SectionContext) -> SectionResult:
    title = ctx.t("按行业", "By industry")
    return _section(ctx, "by_industry", title, "industry", "industry",
                    lambda c, ids: {i: c.option("lead", "industry", i) for i in ids})


def cohort(ctx: SectionContext) -> list[sa.ColumnElement[bool]]:
    """Leads created in the ``cohort_days`` before the period's end, in scope."""
    lead = ctx.models.cls("lead")
    _, end = ctx.bounds()
    return [ctx.rows_of("lead"), lead.created_at >= ctx.cohort_start(), lead.created_at < end]


def _section(ctx: SectionContext, name: str, title: str, field: str | None, column: str,
             labeler: Labeler) -> SectionResult:
    if not ctx.has("lead", "status", *([field] if field else [])):
        return ctx.missing(name, title)
    if not ctx.may_list("lead"):
        return ctx.no_access(name, title, "lead")
    lead = ctx.models.cls("lead")
    key = getattr(lead, column)
    found = ctx.session.execute(
        sa.select(key, sa.func.count(lead.id),
                  sa.func.sum(sa.case((lead.status != INVALID, 1), else_=0)),
                  sa.func.sum(sa.case((lead.status == WON, 1), else_=0)))
        .where(*cohort(ctx)).group_by(key)).all()
    amounts = _amounts(ctx, key)
    names = labeler(ctx, {k for k, *_ in found})
    total = sum(n for _, n, _, _ in found)
    overall = ratio(sum(int(w or 0) for *_, w in found), total)
    rows = [_row(names.get(k, ctx.t("（未填）", "(none)")), n, v, w, amounts.get(k), overall)
            for k, n, v, w in found]
    rows.sort(key=lambda r: (-r["leads"], r["label"]))
    top = rows[:12]
    chart = charts.bar(ctx.t("成交转化率", "Lead → won conversion"), [r["label"] for r in top],
                       [(ctx.t("转化率", "Conversion"), [r["conversion"] or 0 for r in top])],
                       percent=True, height=260)
    return SectionResult(name, title, {"rows": rows, "overall": overall, "total": total,
                                       "amount_visible": amounts is not _NO_AMOUNTS},
                         {"conversion": chart})


_NO_AMOUNTS: dict[Any, tuple[int, float]] = {}


def _amounts(ctx: SectionContext, key: Any) -> dict[Any, tuple[int, float]]:
    """Confirmed deals and their confirmed amount per value of ``key``."""
    if not (ctx.may_list("contract") and ctx.has("contract", "lead", "finance_status")):
        return _NO_AMOUNTS
    lead, contract = ctx.models.cls("lead"), ctx.models.cls("contract")
    amount = sa.func.coalesce(contract.finance_confirmed_amount, contract.amount)
    found = ctx.session.execute(
        sa.select(key, sa.func.count(contract.id), sa.func.sum(amount))
        .join(lead, contract.lead_id == lead.id)
        .where(*cohort(ctx), ctx.rows_of("contract"), contract.finance_status == CONFIRMED)
        .group_by(key)).all()
    return {k: (n, money(a)) for k, n, a in found}


def _row(label: str, leads: int, valid: Any, won: Any, deals: tuple[int, float] | None,
         overall: float | None) -> dict[str, Any]:
    conversion = ratio(won, leads)
    count, amount = deals or (0, 0.0)
    return {
        "label": label, "leads": leads, "valid": int(valid or 0), "won": int(won or 0),
        "conversion": conversion,
        "vs_overall": None if conversion is None or overall is None else conversion - overall,
        "amount": amount, "avg_deal": amount / count if count else None,
    }
