"""Demo people: names, phones and e-mails look Chinese, valid and reproducible."""

from __future__ import annotations

import random
import re

import pytest

from leadloom.demo.people import SURNAMES, contact_label, email, landline, mobile, person
from leadloom.metadata.phones import normalize_phone

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]{2,}$")


def test_mobiles_are_canonical_eleven_digit_numbers():
    rng = random.Random(1)
    for _ in range(2000):
        number = mobile(rng)
        assert MOBILE.match(number), number
        assert normalize_phone(number) == number


def test_landlines_survive_normalisation_unchanged():
    rng = random.Random(2)
    for area in ("021", "0571", "028", "0731"):
        number = landline(rng, area)
        assert number.startswith(area)
        assert normalize_phone(number) == number


def test_names_are_two_to_four_chinese_characters_with_pinyin():
    rng = random.Random(3)
    for _ in range(1000):
        who = person(rng)
        assert 2 <= len(who.name) <= 4
        assert who.name.startswith(who.surname)
        assert all("\u4e00" <= ch <= "\u9fff" for ch in who.name)
        assert all(part.isascii() and part.isalpha() for part in who.pinyin)


def test_common_surnames_dominate():
    rng = random.Random(4)
    drawn = [person(rng).surname for _ in range(20000)]
    top = sum(1 for s in drawn if s in "王李张刘陈")
    assert 0.33 < top / len(drawn) < 0.46  # the top 100 surnames, renormalised
    assert SURNAMES.share(("王", "wang")) == pytest.approx(71 / 776)


def test_contact_labels_are_sometimes_honorifics():
    rng = random.Random(5)
    who = person(rng)
    labels = [contact_label(rng, who) for _ in range(2000)]
    honorific = sum(1 for label in labels if label in (who.surname + "总", who.surname + "经理"))
    assert 0.15 < honorific / len(labels) < 0.25


def test_emails_are_well_formed():
    rng = random.Random(6)
    for domain in ("hengda.com.cn", None):
        for _ in range(200):
            assert EMAIL.match(email(rng, person(rng), domain))


def test_same_seed_same_people_different_seed_different():
    def draw(seed: int) -> list[tuple[str, str]]:
        rng = random.Random(seed)
        return [(person(rng).name, mobile(rng)) for _ in range(50)]

    assert draw(9) == draw(9)
    assert draw(9) != draw(10)
