"""Chinese phone numbers in one canonical form, so the same number always compares equal."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalize_phone(raw: str) -> str | None:
    """``+86 138-1234-5678`` → ``13812345678``; ``021-6123 4567`` → ``02161234567``.

    Returns ``None`` when the text is not a mainland mobile or landline number.
    """
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        if not digits.startswith("+86"):
            return None
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    if not digits.startswith("0") and 9 <= len(digits) <= 11 and not digits.startswith("1"):
        digits = "0" + digits
    return digits if _LANDLINE.match(digits) else None
