"""What a converted lead leaves behind: the account, its contacts and, if won, the contract.

Amounts are 元 with 2 decimals, from the true budget as in domain.md §3.4.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from leadloom.demo.distributions import Weighted, chance, clipped, lognormal
from leadloom.demo.firmographics import annual_revenue_yuan, products_for
from leadloom.demo.funnel import Journey
from leadloom.demo.people import TITLES, Person, Title, email, mobile
from leadloom.demo.people import person as new_person
from leadloom.demo.places import street_address
from leadloom.demo.prospects import Prospect
from leadloom.demo.texts import FOCUS, PAINS
from leadloom.demo.workdays import add_workdays, at, to_utc, work_time

CENT = Decimal("0.01")
SATISFACTION = Weighted([(5, 35), (4, 40), (3, 15), (2, 7), (1, 3)])
DISCOUNT = Weighted([((0.0, 0.0), 40), ((0.01, 0.05), 35), ((0.05, 0.15), 20),
                     ((0.15, 0.25), 5)])
CHANNELS = Weighted([("phone", 45), ("wechat", 45), ("email", 10)])


def yuan(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _demand_stage(journey: Journey) -> str:
    status = journey.status()
    if status == "won":
        return "cooperating"
    return "intent" if status == "converted" else "explicit"


def account_row(rng: random.Random, prospect: Prospect, journey: Journey, owner: int,
                amount: Decimal | None) -> dict[str, Any]:
    """The ``account`` created when the lead became an opportunity."""
    assert journey.opportunity_at is not None
    company, won = prospect.company, journey.status() == "won"
    strategic = amount is not None and amount >= 1_000_000
    delivered = won and journey.closed_at is not None and (
        journey.closed_at + dt.timedelta(days=60) <= journey.as_of)
    created = to_utc(journey.opportunity_at)
    return {
        "name": company.name, "credit_code": prospect.credit_code,
        "industry": company.industry, "employee_range": prospect.size,
        "account_type": "strategic" if strategic else "customer" if won else "prospect",
        "city": company.city.name,
        "registered_address": street_address(rng, company.city) if chance(rng, 0.7) else None,
        "website": f"https://www.{company.domain}"
        if company.domain and chance(rng, 0.5) else None,
        "founded_on": dt.date(rng.randrange(1993, 2023), rng.randrange(1, 13),
                              rng.randrange(1, 29)),
        "annual_revenue": yuan(annual_revenue_yuan(rng, prospect.size))
        if chance(rng, 0.6) else None,
        "demand_stage": _demand_stage(journey),
        "explicit_need": f"希望解决{rng.choice(PAINS)}的问题" if chance(rng, 0.5) else None,
        "implicit_pain": f"关注{rng.choice(FOCUS)}" if chance(rng, 0.3) else None,
        "satisfaction_score": SATISFACTION.pick(rng) if delivered else None,
        "owner": owner, "created_at": created, "updated_at": created,
    }


def _contact(rng: random.Random, who: Person, title: Title | None, job: str | None,
             phone: str | None, mail: str | None) -> dict[str, Any]:
    decides = chance(rng, title.decides) if title else False
    return {
        "name": who.name, "title": job, "department": title.department if title else None,
        "mobile": phone, "email": mail,
        "wechat": f"wxid_{rng.randrange(10**9, 10**10)}" if chance(rng, 0.4) else None,
        "preferred_channel": CHANNELS.pick(rng),
        "decision_role": "decider" if decides else title.role if title else None,
        "is_decision_maker": decides,
    }


def contact_rows(rng: random.Random, prospect: Prospect, journey: Journey,
                 owner: int) -> list[dict[str, Any]]:
    """The lead's contact, plus a second person at 60 % of accounts (1.6 on average)."""
    assert journey.opportunity_at is not None
    phone = prospect.phone if prospect.phone and prospect.phone.startswith("1") else None
    rows = [_contact(rng, prospect.person, prospect.title, prospect.job_title, phone,
                     prospect.email)]
    if chance(rng, 0.6):
        who, title = new_person(rng), TITLES.pick(rng)
        domain = prospect.company.domain
        rows.append(_contact(rng, who, title, rng.choice(title.variants), mobile(rng),
                             email(rng, who, domain) if chance(rng, 0.6) else None))
    created = to_utc(journey.opportunity_at)
    for row in rows:
        row.update(owner=owner, created_at=created, updated_at=created)
    return rows


def deal_amount(rng: random.Random, budget_wan: float) -> tuple[Decimal, Decimal]:
    """Won amount: budget × U(0.75, 1.10) × (1 − discount); 20 % snap to x.8万. Returns
    the amount and the discount in percent (2 decimals)."""
    low, high = DISCOUNT.pick(rng)
    factor = 0.75 + 0.35 * rng.random()
    discount = low + (high - low) * rng.random()
    wan = budget_wan * factor * (1 - discount)
    if chance(rng, 0.2):
        wan = int(wan) + 0.8
    return yuan(round(clipped(wan, 0.8, 800.0), 2) * 10_000), yuan(discount * 100)


class ContractNumbers:
    """``HT{yyyy}{seq:06}``: a running number per signing year."""

    def __init__(self) -> None:
        self._seq: Counter[int] = Counter()

    def next(self, year: int) -> str:
        self._seq[year] += 1
        return f"HT{year}{self._seq[year]:06d}"


def contract_row(rng: random.Random, prospect: Prospect, journey: Journey, owner: int,
                 amount: Decimal, number: str) -> dict[str, Any]:
    """The signed contract and where finance stands with it at ``as_of``."""
    assert journey.closed_at is not None
    signed, as_of = journey.closed_at, journey.as_of
    confirmed = at(add_workdays(signed.date(), max(1, round(lognormal(rng, 2, 0.7)))), 15.0)
    backlog = signed + dt.timedelta(days=45) > as_of and chance(rng, 0.5)
    status = ("pending" if confirmed > as_of or backlog
              else "returned" if chance(rng, 0.03) else "confirmed")
    drafted = min(work_time(rng, signed - dt.timedelta(days=lognormal(rng, 5, 0.6))), signed)
    created = to_utc(drafted)
    row: dict[str, Any] = {
        "contract_no": number, "amount": amount, "sign_date": signed.date(),
        "product_type": products_for(rng, prospect.size),
        "payment_terms": "instalments" if chance(rng, 0.7 if amount >= 500_000 else 0.35)
        else "lump_sum",
        "finance_status": status, "owner": owner, "created_at": created,
        "updated_at": to_utc(min(confirmed, as_of)),
    }
    if status == "confirmed":
        row["finance_confirmed_amount"] = amount
        row["finance_variance"] = Decimal("0.00")
        row["finance_confirmed_at"] = to_utc(confirmed)
    elif status == "returned":
        row["finance_comment"] = "金额与合同扫描件不一致，请核对后重新提交"
    return row
