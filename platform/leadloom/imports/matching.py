"""查重 for an import: which rows name a lead already stored, or an earlier row of the file.

A lead is identified by the keys of the 查重 rules that do not merely warn (by default
the phone and the credit code, ``config/leads.yaml``): two rows with the same company
name are two contacts, two rows with one phone are one lead. The stored keys
(``ll_dedupe_key``) are read once for the whole file; whether the importer sees and may
change each matched lead is asked once too. Fuzzy and warn-only matches stay the write
path's: it flags them on the lead (``duplicate_hint``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadloom.access import pool_clause, rights, scope_clause
from leadloom.access.people import masked
from leadloom.metadata.messages import Message
from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.records import Context
from leadloom.records.leads.duplicates import keys_of
from leadloom.records.leads.state import user_name

#: key kinds compared per statement
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Existing:
    """A stored lead a row matches, and what the importer may do with it."""

    id: int
    lead_no: str | None
    status: str | None
    owner_id: int | None
    visible: bool
    updatable: bool


@dataclass(frozen=True, slots=True)
class Match:
    """A row's duplicate: a stored lead, or an earlier row of the file (its number)."""

    existing: Existing | None = None
    row_number: int | None = None


class Matcher:
    """Finds each row's duplicate among the stored leads and the rows accepted before it."""

    def __init__(self, ctx: Context, entity_code: str) -> None:
        self.ctx = ctx
        rules = ctx.registry.lead_rules
        self.active = entity_code == "lead" and rules is not None
        duplicates = rules.base.duplicates if rules is not None else None
        self.kinds = {r.key for r in duplicates.rules
                      if r.match == "exact" and r.action != "warn"} if duplicates else set()
        self.ignored = set(duplicates.ignore_statuses) if duplicates else set()
        self.stored: dict[tuple[str, str], Existing] = {}
        self.earlier: dict[tuple[str, str], int] = {}

    def identity(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """The row's identifying keys (empty for other entities)."""
        if not self.active:
            return []
        return [(kind, k) for kind, k, _ in keys_of(values) if kind in self.kinds]

    def load(self, identities: list[list[tuple[str, str]]]) -> None:
        """Read the stored leads that any of ``identities`` name, in a few queries."""
        wanted: dict[str, set[str]] = {}
        for keys in identities:
            for kind, k in keys:
                if (kind, k) not in self.stored:
                    wanted.setdefault(kind, set()).add(k)
        if not wanted:
            return
        table = self.ctx.models.metadata.tables[DEDUPE_KEY_TABLE]
        hits: list[Any] = []
        for kind, keys in wanted.items():
            ordered = sorted(keys)
            for i in range(0, len(ordered), CHUNK):
                hits += self.ctx.session.execute(sa.select(
                    table.c.record_id, table.c.kind, table.c.key).where(
                    table.c.kind == kind, table.c.key.in_(ordered[i:i + CHUNK])))
        leads = self._leads({h.record_id for h in hits})
        for hit in sorted(hits, key=lambda h: h.record_id):
            lead = leads.get(hit.record_id)
            if lead is not None and lead.status not in self.ignored:
                self.stored.setdefault((hit.kind, hit.key), lead)

    def match(self, keys: list[tuple[str, str]]) -> Match | None:
        """The first stored lead, else the first earlier row, that ``keys`` name."""
        for pair in keys:
            if pair in self.stored:
                return Match(existing=self.stored[pair])
        for pair in keys:
            if pair in self.earlier:
                return Match(row_number=self.earlier[pair])
        return None

    def accept(self, keys: list[tuple[str, str]], row_number: int) -> None:
        """Row ``row_number`` goes in: later rows with its keys are its duplicates."""
        for pair in keys:
            self.earlier.setdefault(pair, row_number)

    def forget(self, keys: list[tuple[str, str]], row_number: int) -> None:
        """Row ``row_number`` was refused after all: later rows with its keys are new."""
        for pair in keys:
            if self.earlier.get(pair) == row_number:
                del self.earlier[pair]

    def notice(self, match: Match) -> Message:
        """What a skipped row is told: the lead's number, status and masked owner only."""
        if match.existing is None:
            return Message("the same lead as row %(row)s of this file", row=match.row_number)
        lead = match.existing
        owner = masked(user_name(self.ctx, lead.owner_id)) if lead.owner_id else "—"
        if not lead.visible:
            return Message("already in the system as lead %(no)s (owner %(owner)s), "
                           "which you cannot see", no=lead.lead_no or "", owner=owner)
        return Message("already in the system as lead %(no)s (owner %(owner)s)",
                       no=lead.lead_no or "", owner=owner)

    def _leads(self, ids: set[int]) -> dict[int, Existing]:
        if not ids:
            return {}
        ctx = self.ctx
        cls = ctx.models.cls("lead")
        granted = rights(ctx.registry, ctx.actor, "lead")
        seen = sa.or_(scope_clause(ctx.models, ctx.actor, "lead"),
                      pool_clause(ctx.models, ctx.actor))
        mine = scope_clause(ctx.models, ctx.actor, "lead")
        found: dict[int, Existing] = {}
        ordered = sorted(ids)
        for i in range(0, len(ordered), CHUNK):
            part = ordered[i:i + CHUNK]
            rows = ctx.session.execute(sa.select(
                cls.id, cls.lead_no, cls.status, cls.owner_id,
                sa.case((seen, True), else_=False).label("visible"),
                sa.case((mine, True), else_=False).label("own")).where(cls.id.in_(part)))
            for row in rows:
                visible = ctx.actor.system or (granted.allows("read") and bool(row.visible))
                updatable = ctx.actor.system or (granted.allows("update") and bool(row.own))
                found[row.id] = Existing(row.id, row.lead_no, row.status, row.owner_id,
                                         visible, updatable)
        return found
