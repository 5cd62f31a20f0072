"""One ``lead`` input row from a prospect, its arrival and its journey through the funnel."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from leadloom.demo.arrivals import Arrival
from leadloom.demo.distributions import Weighted, chance
from leadloom.demo.firmographics import (
    STATED_BUDGET_RATE,
    UNKNOWN_INDUSTRY_RATE,
    UNKNOWN_SIZE_RATE,
    budget_bucket,
)
from leadloom.demo.funnel import Journey
from leadloom.demo.prospects import Prospect
from leadloom.demo.texts import need_description, remark
from leadloom.demo.workdays import to_utc

INDUSTRY_LABELS = {
    "manufacturing": "制造业", "it_software": "软件", "trade": "商贸", "construction": "建筑",
    "healthcare": "医疗", "services": "专业服务", "education": "教育", "logistics": "物流",
    "finance": "金融", "consumer": "消费品", "energy": "能源化工", "government": "政府",
}
NEED_CLARITY = {"A": Weighted([("clear", 70), ("partial", 25), ("vague", 5)]),
                "B": Weighted([("clear", 35), ("partial", 50), ("vague", 15)]),
                "C": Weighted([("clear", 10), ("partial", 40), ("vague", 50)])}
TIMELINE = {
    "A": Weighted([("within_1m", 40), ("1_3m", 45), ("3_6m", 10), ("unknown", 5)]),
    "B": Weighted([("within_1m", 10), ("1_3m", 40), ("3_6m", 35), ("over_6m", 10),
                   ("unknown", 5)]),
    "C": Weighted([("within_1m", 3), ("1_3m", 15), ("3_6m", 30), ("over_6m", 32),
                   ("unknown", 20)]),
}


def _money(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _bnau(rng: random.Random, prospect: Prospect, grade: str | None) -> dict[str, Any]:
    """Budget, need, authority, urgency as the rep recorded them."""
    if grade is None:
        return {}
    decides = chance(rng, prospect.title.decides if prospect.title else 0.3)
    row: dict[str, Any] = {
        "need_clarity": NEED_CLARITY[grade].pick(rng),
        "authority": "decides" if decides else "influences" if chance(rng, 0.7) else "none",
        "purchase_timeline": TIMELINE[grade].pick(rng), "is_decision_maker": decides,
        "budget_status": "unclear",
    }
    if chance(rng, STATED_BUDGET_RATE):
        low, high = budget_bucket(prospect.budget_wan * 10_000)
        row.update(budget_status="sufficient" if grade == "A" else "to_confirm",
                   budget_min=_money(low), budget_max=_money(high))
    return row


def lead_row(rng: random.Random, arrival: Arrival, prospect: Prospect, journey: Journey,
             refs: tuple[int, int], followups: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``lead`` input row; ``refs`` is (source id, owner id), ``account`` comes later."""
    company = prospect.company
    industry = "other" if chance(rng, UNKNOWN_INDUSTRY_RATE) else company.industry
    row: dict[str, Any] = {
        "lead_no": arrival.lead_no, "customer_name": company.name, "industry": industry,
        "employee_range": None if chance(rng, UNKNOWN_SIZE_RATE) else prospect.size,
        "source": refs[0], "owner": refs[1], "province": company.city.province,
        "city": company.city.name,
        "credit_code": prospect.credit_code if chance(rng, 0.1) else None,
        "contact_name": prospect.label, "contact_title": prospect.job_title,
        "contact_phone": prospect.phone, "contact_email": prospect.email,
        "need_description": need_description(rng, INDUSTRY_LABELS[company.industry]),
        "grade": journey.grade, "status": journey.status(),
        "invalid_reason": journey.invalid_reason if journey.status() == "invalid" else None,
        "lost_reason": journey.loss_reason(rng),
        "remark": remark(rng) if chance(rng, 0.05) else None,
        "assigned_at": to_utc(journey.assigned_at) if journey.assigned_at else None,
        "created_at": to_utc(arrival.created),
        **followup_stamps(arrival, journey, followups), **_bnau(rng, prospect, journey.grade),
    }
    return row


def followup_stamps(arrival: Arrival, journey: Journey,
                    followups: list[dict[str, Any]]) -> dict[str, Any]:
    """The lead's last follow-up and last change, from its follow-ups (draws nothing)."""
    changed = [to_utc(arrival.created)] + [f["created_at"] for f in followups]
    if journey.closed_at and journey.closed_at <= journey.as_of:
        changed.append(to_utc(journey.closed_at))
    return {"last_followup_at": max((f["occurred_at"] for f in followups), default=None),
            "updated_at": max(changed)}


def is_open(journey: Journey) -> bool:
    """Still being worked at ``as_of`` (so its latest next action becomes a task)."""
    return journey.status() in ("assigned", "contacting", "converted")


def converted_on(journey: Journey) -> dt.datetime | None:
    """When the lead became an opportunity (and got an account), if before ``as_of``."""
    at = journey.opportunity_at
    return at if at is not None and at <= journey.as_of else None
