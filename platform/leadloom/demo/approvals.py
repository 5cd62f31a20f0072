"""The approvals a lead's journey went through (config/workflows): a discount above 5 %
(the supervisor; above 15 % the supervisor and finance in parallel) before the deal was
signed, and a big loss (lost from negotiation, or 50万+) confirmed by the supervisor.

Pure: ``record_id`` is 0 until the generator knows the lead's id. Times are naive UTC.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from leadloom.demo.distributions import lognormal
from leadloom.demo.funnel import Journey, StageStep
from leadloom.demo.users import DEMO_USERS
from leadloom.demo.workdays import to_utc, work_time
from leadloom.records import DecidedApproval, Vote

BIG_LOSS = Decimal(500_000)
HIGH_DISCOUNT = Decimal(15)
DISCOUNT_REASON = "客户预算有限，争取长期合作"


def _supervisor(unit: str) -> str:
    return next(u.username for u in DEMO_USERS if "supervisor" in u.roles and u.unit == unit)


FINANCE = next(u.username for u in DEMO_USERS if "finance" in u.roles)


class Approvals:
    """Plans a lead's decided approvals; ``user_ids``: demo username → user id."""

    def __init__(self, rng: random.Random, user_ids: dict[str, int]) -> None:
        self.rng = rng
        self.user_ids = user_ids

    def _vote(self, step: int, username: str, at: dt.datetime) -> Vote:
        return Vote(step, self.user_ids[username], username, at)

    def plan(self, journey: Journey, lead: dict[str, Any], moves: list[StageStep],
             requester: tuple[int, str], unit: str) -> list[DecidedApproval]:
        found = []
        discount = lead.get("discount_pct")
        if discount is not None and discount > 5 and journey.closed_at is not None:
            found.append(self._discount(journey, discount, requester, unit))
        last = moves[-1]
        if last[1] == "lost" and (last[0] == "negotiation" or (
                lead.get("expected_amount") or 0) >= BIG_LOSS):
            found.append(self._big_loss(last, requester, unit))
        return found

    def _discount(self, journey: Journey, discount: Decimal, requester: tuple[int, str],
                  unit: str) -> DecidedApproval:
        """Asked during negotiation, decided within hours, before signing."""
        assert journey.closed_at is not None
        signed = journey.closed_at
        asked = work_time(self.rng, signed - dt.timedelta(days=1 + 9 * self.rng.random()))
        decided = min(work_time(self.rng, asked + dt.timedelta(
            hours=lognormal(self.rng, 4, 0.8))), signed)
        asked = min(asked, decided)
        high = discount > HIGH_DISCOUNT
        votes = [self._vote(0, _supervisor(unit), to_utc(decided))]
        if high:
            votes.append(self._vote(1, FINANCE, to_utc(decided)))
        return DecidedApproval(
            "discount_high" if high else "discount", "lead", 0, "change",
            {"discount_pct": str(discount)}, {"discount_pct": None}, *requester,
            created_at=to_utc(asked), votes=tuple(votes),
            comment=DISCOUNT_REASON if high else None)

    def _big_loss(self, move: StageStep, requester: tuple[int, str],
                  unit: str) -> DecidedApproval:
        """Asked some hours before the move to lost, which the approval carried out."""
        source, target, at = move
        asked = at - dt.timedelta(hours=lognormal(self.rng, 20, 0.7))
        return DecidedApproval(
            "big_loss", "lead", 0, "move", {"stage": target}, {"stage": source}, *requester,
            created_at=asked.replace(microsecond=0),
            votes=(self._vote(0, _supervisor(unit), at),), from_stage=source,
            to_stage=target)
