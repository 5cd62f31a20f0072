"""Who a lead is about: the company, its true size and industry, and the contact person.

Also keeps a short memory of recent prospects so "重复线索" invalid leads can really be
duplicates of an earlier lead (same company and phone).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from leadloom.demo.companies import Company, CompanyNamer, CreditCodes
from leadloom.demo.distributions import chance
from leadloom.demo.firmographics import SIZE_MIX, SMALL_SIZES, industry_for, true_budget_wan
from leadloom.demo.people import TITLES, Person, Title, contact_label, email, landline, mobile
from leadloom.demo.people import person as new_person
from leadloom.demo.places import city_for

TITLE_MISSING_RATE = 0.20


@dataclass(frozen=True, slots=True)
class Prospect:
    """A company and its first contact as the lead captured them."""

    company: Company
    size: str
    budget_wan: float
    person: Person
    label: str
    title: Title | None
    job_title: str | None
    phone: str | None
    email: str | None
    credit_code: str | None


class Prospects:
    """Makes prospects with run-wide unique company names and credit codes."""

    def __init__(self) -> None:
        self.names = CompanyNamer()
        self.codes = CreditCodes()
        self._recent: deque[Prospect] = deque(maxlen=500)

    def new(self, rng: random.Random, unit: str) -> Prospect:
        city = city_for(rng, unit)
        company = self.names.new(rng, city, industry_for(rng, unit))
        size = SIZE_MIX.pick(rng)
        who = new_person(rng)
        title = None if chance(rng, TITLE_MISSING_RATE) else TITLES.pick(rng)
        phone, mail = _contact_details(rng, who, company, size)
        prospect = Prospect(
            company, size, true_budget_wan(rng, size), who, contact_label(rng, who), title,
            rng.choice(title.variants) if title else None, phone, mail,
            self.codes.new(rng, company) if chance(rng, 0.7) else None)
        self._recent.append(prospect)
        return prospect

    def duplicate(self, rng: random.Random) -> Prospect:
        """A recent earlier prospect again: a planted duplicate of an earlier lead.

        The newest prospect is the one being replaced, so it is never chosen; with no
        earlier prospect yet, the newest is returned unchanged.
        """
        earlier = len(self._recent) - 1
        return self._recent[rng.randrange(earlier)] if earlier > 0 else self._recent[-1]


def _contact_details(rng: random.Random, who: Person, company: Company,
                     size: str) -> tuple[str | None, str | None]:
    """85 % mobile, 10 % landline only, 5 % e-mail only; about half also give an e-mail."""
    free_mail = company.domain is None or (size in SMALL_SIZES and chance(rng, 0.3))
    address = email(rng, who, None if free_mail else company.domain)
    roll = rng.random()
    if roll < 0.85:
        return mobile(rng), address if chance(rng, 0.5) else None
    if roll < 0.95:
        return landline(rng, company.city.area_code), address if chance(rng, 0.5) else None
    return None, address
