"""One exported row: each column's stored value turned into what the file shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from leadloom.exports.cells import inert, local, money
from leadloom.exports.columns import Column, Kind
from leadloom.exports.lookups import BatchNames
from leadloom.metadata.registry import Registry

#: a column's value in a row, given the batch's names
Reader = Callable[[Any, BatchNames], Any]


@dataclass(frozen=True, slots=True)
class Wording:
    """What values read as in the reader's language."""

    locale: str
    yes: str
    no: str


def readers(registry: Registry, columns: Sequence[Column], index: dict[str, int],
            wording: Wording) -> list[Reader]:
    """How each column reads its value from a row (``index``: table column → position)."""
    zone = ZoneInfo(registry.app.timezone)
    units = {u.code: u.label.get(wording.locale) for u in registry.units}
    return [_reader(c, index, zone, units, wording) for c in columns]


def _reader(c: Column, index: dict[str, int], zone: ZoneInfo, units: dict[str, str],
            wording: Wording) -> Reader:
    if c.kind is Kind.TAGS:
        return lambda row, names: inert("、".join(names.tags[c.code].get(row[0], [])))
    at = index[c.source]  # type: ignore[index]
    if c.kind is Kind.USER:
        return lambda row, names: names.users.get(row[at]) if row[at] is not None else None
    if c.kind is Kind.REFERENCE:
        target = c.field.to  # type: ignore[union-attr]
        return lambda row, names: (inert(names.titles[target].get(row[at], f"#{row[at]}"))
                                   if row[at] is not None else None)
    value = _value(c, zone, units, wording)
    return lambda row, names: value(row[at])


def _value(c: Column, zone: ZoneInfo, units: dict[str, str], wording: Wording
           ) -> Callable[[Any], Any]:
    """How a value read on its own (no other rows needed) shows."""
    if c.kind is Kind.MONEY:
        return money
    if c.kind is Kind.DATETIME:
        return lambda v: local(v, zone)
    if c.kind in (Kind.NUMBER, Kind.DATE):
        return lambda v: v
    if c.kind is Kind.BOOLEAN:
        return lambda v: None if v is None else wording.yes if v else wording.no
    if c.kind is Kind.UNIT:
        return lambda v: None if v is None else units.get(v, v)
    if c.kind in (Kind.OPTION, Kind.OPTIONS):
        labels = {o.code: o.label.get(wording.locale) for o in c.field.options}  # type: ignore[union-attr]
        if c.kind is Kind.OPTION:
            return lambda v: None if v is None else inert(labels.get(v, v))
        return lambda v: inert("、".join(labels.get(code, code) for code in v or []))
    return lambda v: None if v is None else inert(str(v))
