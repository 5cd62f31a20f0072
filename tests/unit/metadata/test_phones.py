from __future__ import annotations

import pytest

from leadloom.metadata.phones import normalize_phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("+86 138-1234-5678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("0086 13812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("(021) 6123-4567", "02161234567"),
    ("0755-86001234", "075586001234"),
    ("12812345678", None),
    ("1381234567", None),
    ("同微信", None),
    ("+1 415 555 0100", None),
])
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected
