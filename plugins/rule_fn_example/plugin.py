"""``phone_carrier(phone)``: which operator a mainland mobile number belongs to.

Decided by the number's first digits (号段, the MIIT allocation); numbers ported to another
operator (携号转网) keep their original segment, so this is the operator the number was
issued by. Landlines, foreign and 虚拟运营商 numbers (170/171/162/165/167) give empty.
"""

from __future__ import annotations

from typing import Any

from leadloom.metadata.phones import normalize_phone
from leadloom.plugins import hookimpl
from leadloom.rules import Kind
from leadloom.rules.functions import Function

#: first three digits → operator code; 1349 is a telecom satellite segment inside 134
SEGMENTS = {
    **dict.fromkeys(("134", "135", "136", "137", "138", "139", "147", "148", "150", "151",
                     "152", "157", "158", "159", "172", "178", "182", "183", "184", "187",
                     "188", "195", "197", "198"), "mobile"),
    **dict.fromkeys(("130", "131", "132", "145", "146", "155", "156", "166", "175", "176",
                     "185", "186", "196"), "unicom"),
    **dict.fromkeys(("133", "149", "153", "173", "174", "177", "180", "181", "189", "190",
                     "191", "193", "199"), "telecom"),
    "192": "broadnet",
}


def phone_carrier(phone: Any) -> str | None:
    """The operator that issued a mainland mobile number: 'mobile' (中国移动), 'unicom'
    (中国联通), 'telecom' (中国电信) or 'broadnet' (中国广电); empty for any other number.
    ``phone_carrier(phone) == 'mobile'``."""
    if phone is None or phone == "":
        return None
    number = normalize_phone(str(phone)) or ""
    if len(number) != 11 or not number.startswith("1"):
        return None
    if number.startswith("1349"):
        return "telecom"
    return SEGMENTS.get(number[:3])


@hookimpl
def leadloom_rule_functions() -> list[Function]:
    return [Function("phone_carrier", phone_carrier, (Kind.TEXT,), Kind.TEXT)]
