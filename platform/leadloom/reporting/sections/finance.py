"""Finance monthly: contracts signed in the period, their finance status, the confirmed
amounts and the variance against the rep's figure; the ageing of pending confirmations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from leadloom.reporting.context import SectionContext, SectionResult
from leadloom.reporting.sections.leads import CONFIRMED, money, titles

NEEDS = ("contract_no", "amount", "sign_date", "finance_status", "finance_confirmed_amount")
AGES = ((0, 7), (8, 30), (31, 90), (91, None))


def finance_summary(ctx: SectionContext) -> SectionResult:
    title = ctx.t("财务确认汇总", "Finance confirmation summary")
    if not ctx.has("contract", *NEEDS):
        return ctx.missing("finance_summary", title)
    if not ctx.may_list("contract"):
        return ctx.no_access("finance_summary", title, "contract")
    contract = ctx.models.cls("contract")
    found = ctx.session.execute(
        sa.select(contract.finance_status, sa.func.count(contract.id),
                  sa.func.sum(contract.amount), sa.func.sum(contract.finance_confirmed_amount),
                  sa.func.sum(contract.finance_confirmed_amount - contract.amount))
        .where(*_signed_in_period(ctx)).group_by(contract.finance_status)).all()
    rows = [{"status": ctx.option("contract", "finance_status", s), "code": s, "count": n,
             "amount": money(a), "confirmed": money(c) if c is not None else None,
             "variance": money(v) if s == CONFIRMED else None} for s, n, a, c, v in found]
    rows.sort(key=lambda r: str(r["code"]))
    return SectionResult("finance_summary", title, {
        "rows": rows, "count": sum(r["count"] for r in rows),
        "amount": sum(r["amount"] for r in rows),
        "confirmed": sum(r["confirmed"] or 0 for r in rows if r["code"] == CONFIRMED),
        "ageing": _ageing(ctx),
    })


def _signed_in_period(ctx: SectionContext) -> list[sa.ColumnElement[bool]]:
    contract = ctx.models.cls("contract")
    return [ctx.rows_of("contract"), contract.sign_date >= ctx.period.start,
            contract.sign_date < ctx.period.end]


def _ageing(ctx: SectionContext) -> list[dict[str, Any]]:
    """Contracts still awaiting finance at the snapshot, by days since signing."""
    contract = ctx.models.cls("contract")
    today = ctx.local_date(ctx.as_of) or dt.date.today()
    signed = ctx.session.scalars(sa.select(contract.sign_date).where(
        ctx.rows_of("contract"), contract.finance_status == "pending",
        contract.sign_date <= today)).all()
    buckets = []
    for low, high in AGES:
        n = sum(1 for d in signed if low <= (today - d).days and (high is None
                                                                 or (today - d).days <= high))
        label = f"{low}–{high}" if high is not None else f"> {low - 1}"
        buckets.append({"label": label + ctx.t(" 天", " days"), "count": n})
    return buckets


def finance_contracts(ctx: SectionContext) -> SectionResult:
    title = ctx.t("合同明细", "Contracts")
    if not ctx.has("contract", *NEEDS):
        return ctx.missing("finance_contracts", title)
    if not ctx.may_list("contract"):
        return ctx.no_access("finance_contracts", title, "contract")
    contract = ctx.models.cls("contract")
    found = ctx.session.scalars(sa.select(contract).where(*_signed_in_period(ctx))
                                .order_by(contract.sign_date, contract.contract_no)
                                .limit(ctx.params.limit)).unique().all()
    accounts = titles(ctx, "account", {getattr(c, "account_id", None) for c in found})
    owners = ctx.user_names({c.owner_id for c in found})
    rows = [{
        "contract_no": c.contract_no, "account": accounts.get(getattr(c, "account_id", None),
                                                              "—"),
        "owner": owners.get(c.owner_id, "—"), "sign_date": c.sign_date,
        "amount": money(c.amount),
        "confirmed": money(c.finance_confirmed_amount)
        if c.finance_confirmed_amount is not None else None,
        "variance": money(c.finance_confirmed_amount) - money(c.amount)
        if c.finance_confirmed_amount is not None else None,
        "status": ctx.option("contract", "finance_status", c.finance_status),
    } for c in found]
    total = ctx.session.scalar(sa.select(sa.func.count(contract.id))
                               .where(*_signed_in_period(ctx))) or 0
    return SectionResult("finance_contracts", title, {"rows": rows, "total": total})
