"""Global search: one text against every entity the reader may read, in their scope.

A phone number matches however it was typed (``metadata.phones``); other searchable text
fields (``search: true`` in config) match exactly, by prefix or as a part; a lead's company
name also matches fuzzily through the 查重 keys. Fields hidden from the reader are never
searched nor returned. Leads the reader may not open that share a phone, e-mail, company
or credit code with the text come back as notices: number, status and masked owner only,
as the duplicate check tells them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from rapidfuzz.distance import JaroWinkler
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.access.people import display_name, masked
from leadloom.metadata import duplicate_keys
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.lead_rules import DUPLICATE_KEYS
from leadloom.metadata.registry import Entity, Field
from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.model.tables import Models

#: shorter texts match too much to be useful
MIN_LENGTH = 2
PER_ENTITY = 10
#: ranks: the same value, the value's start, a part of it, a similar company name
EXACT, PREFIX, PART, SIMILAR = range(4)
SEARCHED = (FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE)
#: what a result shows besides its title and the matched field
SHOWN = (FieldType.STRING, FieldType.PHONE, FieldType.EMAIL, FieldType.ENUM)
SHOWN_COUNT = 5
#: a company name this close to the text's (Jaro-Winkler) is a match
SIMILARITY = 0.85


@dataclass(frozen=True, slots=True)
class Hit:
    """A record the reader may open; ``values`` holds only fields they may see."""

    entity: str
    id: int
    unit: str | None
    rank: int
    #: the field that matched (``None``: the similar company name of a lead)
    field: str | None
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """A lead the reader may not open that has the phone, company … they searched for."""

    lead_no: str | None
    status: str | None
    unit: str | None
    #: the owner's masked name (张*); ``None``: the lead is in the public pool
    owner: str | None


@dataclass(frozen=True, slots=True)
class Found:
    hits: tuple[Hit, ...]
    notices: tuple[Notice, ...]


def search(session: Session, models: Models, actor: Actor, text: str,
           per_entity: int = PER_ENTITY) -> Found:
    """Records matching ``text`` in ``actor``'s scope, best first, ``per_entity`` at most
    per entity, and notices for the matching leads outside it.

    :param text: at least ``MIN_LENGTH`` characters once stripped (the caller checks).
    """
    text = text.strip()
    similar = _similar_leads(session, models, actor, text)
    hits: list[Hit] = []
    for entity in models.registry.entities:
        granted = rights(models.registry, actor, entity.code)
        if granted.allows("read"):
            hits += _entity_hits(session, models, actor, entity, granted.hidden, text,
                                 similar if entity.code == "lead" else set(), per_entity)
    hits.sort(key=lambda h: h.rank)
    return Found(tuple(hits), _notices(session, models, actor, text, similar))


def _entity_hits(session: Session, models: Models, actor: Actor, entity: Entity,
                 hidden: frozenset[str], text: str, similar: set[int],
                 limit: int) -> list[Hit]:
    cls = models.cls(entity.code)
    fields = [f for f in entity.fields
              if f.search and f.type in SEARCHED and f.code not in hidden and f.column]
    tests = [(rank, f, cond) for f in fields for rank, cond in _conditions(models, entity, f,
                                                                          text)]
    if similar:
        tests.append((SIMILAR, None, cls.id.in_(similar)))
    if not tests:
        return []
    tests.sort(key=lambda t: t[0])
    rank = sa.case(*[(cond, r) for r, _, cond in tests], else_=SIMILAR + 1)
    shown = _shown(entity, hidden)
    columns = dict.fromkeys(str(f.column) for f in fields + shown if f.column)
    rows = session.execute(
        sa.select(cls.id, cls.unit, rank.label("ll_rank"),
                  *[getattr(cls, c) for c in columns if c not in ("id", "unit")])
        .where(sa.or_(*[cond for _, _, cond in tests]),
               scope_clause(models, actor, entity.code))
        .order_by(rank, cls.id.desc()).limit(limit))
    found = []
    for row in rows:
        matched = next((f for r, f, _ in tests if r == row.ll_rank and f is not None
                        and _matches(f, row, text, r)), None)
        values = {f.code: getattr(row, f.column) for f in [*shown, *fields]
                  if f is matched or f in shown}
        found.append(Hit(entity.code, row.id, row.unit, row.ll_rank,
                         matched.code if matched else None, tuple(values.items())))
    return found


def _conditions(models: Models, entity: Entity, f: Field,
                text: str) -> list[tuple[int, sa.ColumnElement[bool]]]:
    """(rank, WHERE clause) pairs for one field, limited to the units that have it."""
    column = getattr(models.cls(entity.code), str(f.column))
    if f.type is FieldType.PHONE:
        key = duplicate_keys.phone_key(text)
        digits = "".join(c for c in text if c.isdigit())
        found = [(EXACT, column == key)] if key else []
        if len(digits) >= 4 and digits != key:
            found.append((PART, column.contains(digits, autoescape=True)))
    else:
        found = [(EXACT, sa.func.lower(column) == text.lower()),
                 (PREFIX, column.istartswith(text, autoescape=True)),
                 (PART, column.icontains(text, autoescape=True))]
    where = _units_with(models, entity, f)
    return [(r, sa.and_(c, where) if where is not None else c) for r, c in found]


def _units_with(models: Models, entity: Entity,
                f: Field) -> sa.ColumnElement[bool] | None:
    """The rows whose unit's view shows ``f`` (``None``: every unit's does)."""
    registry = models.registry
    units = [u.code for u in registry.units]
    showing = [u for u in units if registry.view(entity.code, u).has_field(f.code)]
    base = registry.view(entity.code, None).has_field(f.code)
    if base and len(showing) == len(units):
        return None
    unit = models.cls(entity.code).unit
    return sa.or_(unit.in_(showing), unit.is_(None)) if base else unit.in_(showing)


def _matches(f: Field, row: Any, text: str, rank: int) -> bool:
    """Whether ``f``'s value in ``row`` is what gave the row its rank."""
    value = str(getattr(row, str(f.column)) or "")
    if f.type is FieldType.PHONE:
        key = duplicate_keys.phone_key(text)
        return value == key if rank == EXACT else bool(value) and "".join(
            c for c in text if c.isdigit()) in value
    low, want = value.lower(), text.lower()
    return {EXACT: low == want, PREFIX: low.startswith(want)}.get(rank, want in low)


def _shown(entity: Entity, hidden: frozenset[str]) -> list[Field]:
    """The title and the first few list columns the reader may see."""
    title = [f for f in entity.fields if f.code == entity.title_field]
    rest = [f for f in entity.fields if f.list and f.type in SHOWN
            and f.code != entity.title_field]
    return [f for f in title + rest[:SHOWN_COUNT] if f.code not in hidden]


def _keys(models: Models, actor: Actor, text: str) -> list[tuple[str, str]]:
    """(kind, key) of the 查重 keys the text makes, for keys whose field the reader sees."""
    hidden = rights(models.registry, actor, "lead").hidden
    makers = {"phone": duplicate_keys.phone_key, "email": duplicate_keys.email_key,
              "credit_code": duplicate_keys.credit_code_key,
              "company": duplicate_keys.company_key}
    return [(kind, key[:200]) for kind, make in makers.items()
            if DUPLICATE_KEYS[kind] not in hidden for key in [make(text)] if key]


def _similar_leads(session: Session, models: Models, actor: Actor, text: str) -> set[int]:
    """Leads whose company name resembles the text (within its block of the 查重 keys)."""
    if not _lead_search(models, actor) or DUPLICATE_KEYS["company"] in rights(
            models.registry, actor, "lead").hidden:
        return set()
    core = duplicate_keys.company_core(text)
    if not core or len(core) < MIN_LENGTH:
        return set()
    table = models.metadata.tables[DEDUPE_KEY_TABLE]
    rows = session.execute(sa.select(table.c.record_id, table.c.key).where(
        table.c.kind == "company_core",
        table.c.block == duplicate_keys.company_block(core)).limit(2000))
    return {r.record_id for r in rows
            if JaroWinkler.normalized_similarity(core, r.key) >= SIMILARITY}


def _lead_search(models: Models, actor: Actor) -> bool:
    """Whether leads exist here and the reader works with them at all."""
    return models.registry.lead_rules is not None and bool(
        rights(models.registry, actor, "lead").operations)


def _notices(session: Session, models: Models, actor: Actor, text: str,
             similar: set[int]) -> tuple[Notice, ...]:
    if not _lead_search(models, actor):
        return ()
    table = models.metadata.tables[DEDUPE_KEY_TABLE]
    wanted = [sa.and_(table.c.kind == kind, table.c.key == key)
              for kind, key in _keys(models, actor, text)]
    ids = set(similar)
    if wanted:
        ids |= set(session.scalars(sa.select(table.c.record_id).where(sa.or_(*wanted))
                                   .limit(500)))
    if not ids:
        return ()
    cls = models.cls("lead")
    hidden = rights(models.registry, actor, "lead").hidden
    readable = set(session.scalars(sa.select(cls.id).where(
        cls.id.in_(ids), scope_clause(models, actor, "lead"))))
    rows = list(session.execute(
        sa.select(cls.lead_no, cls.status, cls.unit, cls.owner_id)
        .where(cls.id.in_(ids - readable)).order_by(cls.id.desc()).limit(PER_ENTITY)))
    names = _names(session, {r.owner_id for r in rows if r.owner_id is not None})
    return tuple(Notice(r.lead_no, None if "status" in hidden else r.status, r.unit,
                        masked(names.get(r.owner_id, "")) if r.owner_id else None)
                 for r in rows)


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(User.id, User.first_name, User.last_name,
                                     User.username).where(User.id.in_(ids)))
    return {r.id: display_name(r.first_name, r.last_name, r.username) for r in rows}
