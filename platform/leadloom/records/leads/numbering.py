"""Lead numbers from the configured pattern: ``{source.code}-{created_at:%Y%m%d}-{seq:3}``
→ ``WEB-20240315-001``; the legacy ``{source.code}{seq:3}`` → ``WEB001``.

The counter is per prefix (everything the pattern renders besides the sequence): per source
and day for the default, per source for the legacy one. Dates are local (Asia/Shanghai).
The number is taken after the row is written, in its transaction (``counters``).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from leadloom.records.leads.columns import write_columns
from leadloom.records.leads.state import LeadWrite

TOKEN = re.compile(r"\{([^{}]*)\}")


def assign_number(w: LeadWrite) -> str | None:
    """Give the new lead its number (unless it brought one); return the number."""
    number = take_number(w)
    if number is not None:
        write_columns(w.change, lead_no=number)
    return number


def take_number(w: LeadWrite) -> str | None:
    """The new lead's number from its prefix's counter (a batch's counters while one
    runs), kept in ``w.values``; None when the lead brought one or is not new."""
    if not w.creating or w.values.get("lead_no"):
        return None
    head, width, tail = _parts(w)
    ctx = w.ctx
    seq = w.state.next_value(ctx.session, ctx.models, f"lead_no:{head}#{tail}",
                                           start=lambda: _highest(w, head, tail))
    number = f"{head}{seq:0{width}d}{tail}"
    w.values["lead_no"] = number
    return number


def _parts(w: LeadWrite) -> tuple[str, int, str]:
    """The rendered text before and after ``{seq:N}``, and N."""
    pattern = w.rules.numbering
    seq = next(m for m in TOKEN.finditer(pattern) if m.group(1).startswith("seq"))
    width = int(seq.group(1).partition(":")[2] or 3)
    return (_render(w, pattern[:seq.start()]), width, _render(w, pattern[seq.end():]))


def _render(w: LeadWrite, text: str) -> str:
    return TOKEN.sub(lambda m: _token(w, m.group(1)), text)


def _token(w: LeadWrite, token: str) -> str:
    name, _, spec = token.partition(":")
    if name == "created_at":
        return w.rules.calendar.local(w.now).strftime(spec)
    if name == "unit":
        return (w.unit or "").upper()
    head, _, sub = name.partition(".")
    value = w.values.get(head)
    if sub and value is not None:
        value = _reference(w, head, int(value), sub)
    return "" if value is None else str(value)


def _reference(w: LeadWrite, field: str, pk: int, sub: str) -> Any:
    target = w.change.entity.field(field).to
    assert target is not None
    cache = w.state.refs
    key = (target, pk)
    if key not in cache:
        cls = w.ctx.models.cls(target)
        cache[key] = w.ctx.session.execute(sa.select(cls.__table__).where(
            cls.__table__.c.id == pk)).mappings().first() or {}
    return cache[key].get(sub)


def _highest(w: LeadWrite, head: str, tail: str) -> int:
    """The highest sequence already used under this prefix (rows loaded with numbers)."""
    table = w.ctx.models.cls("lead").__table__
    like = head.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    numbers = w.ctx.session.scalars(sa.select(table.c.lead_no).where(
        table.c.lead_no.like(like, escape="\\")))
    found = 0
    for number in numbers:
        middle = number[len(head):len(number) - len(tail) if tail else None]
        if middle.isdigit() and (not tail or number.endswith(tail)):
            found = max(found, int(middle))
    return found
