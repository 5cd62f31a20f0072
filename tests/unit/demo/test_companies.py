"""Demo companies: unique names in the recipe's pattern, valid 统一社会信用代码."""

from __future__ import annotations

import random
import re

from leadloom.demo.companies import (
    BLOCKED_ZIHAO,
    CompanyNamer,
    CreditCodes,
    credit_check_digit,
)
from leadloom.demo.firmographics import INDUSTRIES
from leadloom.demo.places import ALL_CITIES

# The pattern of the credit_code field in config/entities/account.yaml.
CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _companies(seed: int, count: int):
    rng = random.Random(seed)
    namer = CompanyNamer()
    codes = [code for code, _, _ in INDUSTRIES]
    return [namer.new(rng, ALL_CITIES[i % len(ALL_CITIES)], codes[i % len(codes)])
            for i in range(count)]


def test_names_are_unique_even_for_many_companies():
    names = [c.name for c in _companies(1, 30000)]
    assert len(set(names)) == len(names)


def test_names_start_with_the_city_and_avoid_famous_brands():
    for company in _companies(2, 3000):
        assert company.name.startswith(company.city.name)
        assert not any(brand in company.name for brand in BLOCKED_ZIHAO
                       if company.name.find(brand) == len(company.city.name))


def test_company_names_use_an_organisation_form():
    companies = [c for c in _companies(3, 2000) if c.kind == "company"]
    with_form = [c for c in companies if c.name.endswith(("公司", "厂", "企业"))]
    assert len(with_form) == len(companies)


def test_check_digit_matches_published_codes():
    for code in ("914403001922038216", "91350100M000100Y43", "9144030071526726XG"):
        assert credit_check_digit(code[:17]) == code[17]


def test_generated_credit_codes_are_valid_unique_and_regional():
    rng = random.Random(4)
    codes = CreditCodes()
    made = [(c, codes.new(rng, c)) for c in _companies(4, 3000)]
    assert len({code for _, code in made}) == len(made)
    for company, code in made:
        assert CREDIT_PATTERN.match(code), code
        assert credit_check_digit(code[:17]) == code[17]
        assert code[2:8] == company.city.region_code


def test_same_seed_same_names():
    assert [c.name for c in _companies(5, 200)] == [c.name for c in _companies(5, 200)]
    assert [c.name for c in _companies(5, 200)] != [c.name for c in _companies(6, 200)]
