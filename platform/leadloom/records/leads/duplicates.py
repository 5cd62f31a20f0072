"""查重: every new lead (and every change to its phone, e-mail, name or credit code) is
compared with the existing leads and with the other rows of the same import.

Exact matches (after ``metadata.duplicate_keys``) block or warn per rule; fuzzy company-name matches
(Jaro-Winkler on the name without region and legal form, within its block) warn only.
A message names the existing lead's number, its status and its owner masked (张*), and
nothing else: the user may not be allowed to see that lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from rapidfuzz.distance import JaroWinkler
from sqlalchemy.dialects import postgresql

from leadloom.access import in_pool, in_scope, pool_clause, rights, scope_clause
from leadloom.access.people import masked
from leadloom.metadata import duplicate_keys
from leadloom.metadata.lead_rules import DUPLICATE_KEYS, DuplicateRule, LeadRules
from leadloom.model.leads import DEDUPE_KEY_TABLE
from leadloom.records.leads.sink import Sink
from leadloom.records.leads.state import LeadWrite, user_name

if TYPE_CHECKING:
    from leadloom.records.service import Context

LABELS = {"phone": ("手机号", "Phone"), "email": ("邮箱", "E-mail"),
          "company": ("客户名称", "Company name"),
          "credit_code": ("统一社会信用代码", "Credit code")}
HINT_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Match:
    rule: DuplicateRule
    #: the existing lead (None: another row of the same import)
    lead_id: int | None
    lead_no: str | None
    status: str | None
    owner_id: int | None
    visible: bool


def keys_of(values: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(kind, key, block) of a lead's values; ``company_core`` rows carry the block."""
    found = []
    for kind, make in (("phone", duplicate_keys.phone_key),
                       ("email", duplicate_keys.email_key),
                       ("credit_code", duplicate_keys.credit_code_key),
                       ("company", duplicate_keys.company_key)):
        key = make(values.get(DUPLICATE_KEYS[kind]))
        if key:
            found.append((kind, key[:200], None))
    core = duplicate_keys.company_core(values.get("customer_name"))
    if core:
        found.append(("company_core", core[:200], duplicate_keys.company_block(core)))
    return found


def check_duplicates(w: LeadWrite, batch: BatchKeys | None = None) -> None:
    """Block or warn on matches; set ``duplicate_hint``; remember the keys to store.

    ``batch``: the write is one row of a batch of new leads, checked against the keys
    the batch read at once and against the rows before it (``BatchKeys``).
    """
    fields = set(DUPLICATE_KEYS.values())
    if not w.creating and not any(w.change.changed(f) for f in fields):
        return  # its stored keys stand (``store_keys`` keeps them): nothing to compute
    w.keys = batch.keys[id(w)] if batch is not None else keys_of(w.values)
    w.keys_changed = True
    if batch is not None:
        matches = batch.matches(w)
    else:
        matches = _matches(w)
        state = w.state
        for kind, key, _ in w.keys:
            state.pending.setdefault((kind, key), set()).add(id(w))
    warned: dict[int | None, list[Match]] = {}
    for match in matches:
        if _blocks(w, match):
            w.change.reject(DUPLICATE_KEYS[match.rule.key], _message(w, [match]))
        else:
            warned.setdefault(match.lead_id, []).append(match)
    hints = []
    for group in warned.values():  # one line per existing lead: 手机号、客户名称与 …
        message = _message(w, group)
        hints.append(message)
        w.warnings.append((group[0].owner_id, message, group[0].lead_id))
    hint = "；".join(hints)
    w.set("duplicate_hint", (hint[:HINT_LENGTH - 1] + "…") if len(hint) > HINT_LENGTH
          else hint or None)


def _blocks(w: LeadWrite, match: Match) -> bool:
    if match.rule.action == "warn" or match.status in w.rules.duplicates.ignore_statuses:
        return False
    if match.lead_id is None:  # another row of this import: the import decides, warn
        return False
    return match.rule.action == "block" or not match.visible


def _matches(w: LeadWrite) -> list[Match]:
    mine = {(kind, key) for kind, key, _ in w.keys}
    block = next((b for kind, _, b in w.keys if kind == "company_core"), None)
    rows = _stored(w, mine, block)
    pending = w.state.pending
    others = {k for k in mine if pending.get(k, set()) - {id(w)}}
    return _found(w, rows, _leads(w, {r.record_id for r in rows}), others)


def _found(w: LeadWrite, rows: list[Any], leads: dict[int, dict[str, Any]],
           others: set[tuple[str, str]]) -> list[Match]:
    """The rules' matches among ``rows`` (keys of existing leads, by id) and the keys
    ``others`` (rows of the same import not stored yet)."""
    mine = {(kind, key) for kind, key, _ in w.keys}
    core = next((k for kind, k, _ in w.keys if kind == "company_core"), None)
    found: list[Match] = []
    taken: set[tuple[int | None, str]] = set()
    for rule in w.rules.duplicates.rules:
        for record_id in _hits(rule, rows, mine, core):
            lead = leads.get(record_id)
            if lead is not None and (record_id, rule.key) not in taken:
                taken.add((record_id, rule.key))
                found.append(Match(rule, record_id, lead["lead_no"], lead["status"],
                                   lead["owner_id"], lead["visible"]))
        if rule.match == "exact" and any(kind == rule.key for kind, _ in others):
            found.append(Match(rule, None, None, None, None, True))
    return found


def _hits(rule: DuplicateRule, rows: list[Any], mine: set[tuple[str, str]],
          core: str | None) -> list[int]:
    if rule.match == "exact":
        return [r.record_id for r in rows if r.kind == rule.key and (r.kind, r.key) in mine]
    if core is None:
        return []
    exact = {r.record_id for r in rows if r.kind == "company" and (r.kind, r.key) in mine}
    return [r.record_id for r in rows if r.kind == "company_core" and r.record_id not in exact
            and JaroWinkler.normalized_similarity(core, r.key) >= rule.threshold]


def _stored(w: LeadWrite, mine: set[tuple[str, str]], block: str | None) -> list[Any]:
    table = w.ctx.models.metadata.tables[DEDUPE_KEY_TABLE]
    wanted = [sa.and_(table.c.kind == kind, table.c.key == key) for kind, key in mine
              if kind != "company_core"]
    if block is not None and _fuzzy(w.rules):
        wanted.append(sa.and_(table.c.kind == "company_core", table.c.block == block))
    if not wanted:
        return []
    query = sa.select(table.c.record_id, table.c.kind, table.c.key).where(sa.or_(*wanted))
    if not w.creating:
        query = query.where(table.c.record_id != w.change.record.id)
    return list(w.ctx.session.execute(query.order_by(table.c.record_id).limit(MOST_ROWS)))


#: how many stored keys one lead is compared with (the lowest ids first)
MOST_ROWS = 500


def _fuzzy(rules: LeadRules) -> bool:
    return any(r.match == "fuzzy" for r in rules.duplicates.rules)


def _leads(w: LeadWrite, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    ctx = w.ctx
    cls = ctx.models.cls("lead")
    table = cls.__table__
    found: dict[int, dict[str, Any]] = {}
    visible: set[int] = set()
    may_read = rights(ctx.registry, ctx.actor, "lead").allows("read")
    seen = sa.or_(scope_clause(ctx.models, ctx.actor, "lead"),
                  pool_clause(ctx.models, ctx.actor))  # a pool lead: claim it instead
    for chunk in _chunks(sorted(ids)):
        rows = ctx.session.execute(sa.select(
            table.c.id, table.c.lead_no, table.c.status, table.c.owner_id).where(
            _among(ctx, table.c.id, chunk)))
        found |= {r.id: dict(r._mapping) for r in rows}
        if not ctx.actor.system and may_read:
            visible |= set(ctx.session.scalars(sa.select(cls.id).where(_among(ctx, cls.id, chunk),
                                                                        seen)))
    if ctx.actor.system:
        visible = set(found)
    for pk, lead in found.items():
        lead["visible"] = pk in visible
    return found


def _among(ctx: Context, column: Any, values: list[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``, one parameter instead
    of thousands (psycopg took longer to parse a 5,000-parameter statement than the server
    to run it)."""
    if ctx.session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))


def _chunks(items: list[Any], size: int = 5000) -> list[list[Any]]:
    """``items`` in slices small enough for one statement's parameters."""
    return [items[i:i + size] for i in range(0, len(items), size)] if items else []


def _message(w: LeadWrite, matches: list[Match]) -> str:
    """What matched which lead: its number, status and masked owner, nothing else."""
    zh = w.ctx.registry.app.default_locale == "zh"
    match = matches[0]
    what = ("、" if zh else ", ").join(dict.fromkeys(_what(m, zh) for m in matches))
    if match.lead_id is None:
        return (f"{what}与本次导入的另一行重复" if zh
                else f"{what} matches another row of this import")
    status = _status_label(w, match.status, zh)
    owner = masked(user_name(w.ctx, match.owner_id)) if match.owner_id else (
        "公海" if zh else "public pool")
    similar = all(m.rule.match == "fuzzy" for m in matches)
    if zh:
        verb = "相似" if similar else "重复"
        return f"{what}与已有线索 {match.lead_no} {verb}（{status}，负责人 {owner}）"
    verb = "resembles" if similar else "matches"
    return f"{what} {verb} lead {match.lead_no} ({status}, owner {owner})"


def _what(match: Match, zh: bool) -> str:
    return LABELS[match.rule.key][0 if zh else 1]


def _status_label(w: LeadWrite, status: str | None, zh: bool) -> str:
    field = w.change.entity.field("status")
    option = field.option(status or "")
    return option.label.get("zh" if zh else "en") if option else str(status)


def store_keys(w: LeadWrite, sink: Sink) -> None:
    """After the row is written: its keys replace its old ones; warnings are sent."""
    pending = w.state.pending
    for kind, key, _ in w.keys:
        pending.get((kind, key), set()).discard(id(w))
    if not w.keys_changed:
        return
    ctx = w.ctx
    table = ctx.models.metadata.tables[DEDUPE_KEY_TABLE]
    record_id = w.change.record.id
    if not w.creating:
        ctx.session.execute(sa.delete(table).where(table.c.record_id == record_id))
    sink.keys += [{"record_id": record_id, "kind": kind, "key": key, "block": block}
                  for kind, key, block in w.keys]
    if w.warnings and not w.history:
        _warn(w, record_id, sink)


def _warn(w: LeadWrite, record_id: int, sink: Sink) -> None:
    ctx = w.ctx
    number = w.values.get("lead_no") or f"#{record_id}"
    link = f"/lead/show/{record_id}"
    zh = ctx.registry.app.default_locale == "zh"
    messages = "；".join(message for _, message, _ in w.warnings)
    if ctx.actor.user_id is not None:
        sink.outbox.add(ctx.actor.user_id, "duplicate",
               (f"疑似重复线索 {number}：" if zh else f"Possible duplicate {number}: ")
               + messages, link)
    told: set[int] = set()
    for owner, _, lead_id in w.warnings:
        if owner is None or owner == ctx.actor.user_id or owner in told or lead_id is None:
            continue
        told.add(owner)
        sink.outbox.add(owner, "duplicate",
               (f"新线索 {number} 与你负责的线索疑似重复" if zh
                else f"New lead {number} may duplicate one of yours"), f"/lead/show/{lead_id}")


@dataclass(frozen=True, slots=True)
class _Key:
    record_id: int
    kind: str
    key: str
    block: str | None


def _first_of_blocks(ctx: Context, table: sa.Table, blocks: list[str]) -> sa.Select[Any]:
    """The company cores of ``blocks``, the ``MOST_ROWS`` lowest ids of each: a lead is
    compared with no more (``matches``), and a block grows with the data: read whole,
    with their leads, every batch read more rows than the one before it."""
    ranked = sa.select(table.c.record_id, table.c.kind, table.c.key, table.c.block,
                       sa.func.row_number().over(partition_by=table.c.block,
                                                 order_by=table.c.record_id).label("n")).where(
        table.c.kind == "company_core", _among(ctx, table.c.block, blocks)).subquery()
    return sa.select(ranked.c.record_id, ranked.c.kind, ranked.c.key, ranked.c.block).where(
        ranked.c.n <= MOST_ROWS)


class BatchKeys:
    """查重 for a batch of new leads, as a sequence of single creates would do it: the
    stored keys of every row are read at once (one query per key kind), and each row is
    compared with the rows before it as with leads already written — by their number,
    status and owner once their rules ran (``add``), under a stand-in id (< 0) until the
    insert gives them theirs (``real_id``)."""

    def __init__(self, writes: list[LeadWrite]) -> None:
        self.ctx = writes[0].ctx
        #: each row's keys (its key fields are the input's: the rules do not set them)
        self.keys = {id(w): keys_of(w.values) for w in writes}
        wanted: dict[str, set[str]] = {}
        blocks: set[str] = set()
        for w in writes:
            for kind, key, block in self.keys[id(w)]:
                if kind != "company_core":
                    wanted.setdefault(kind, set()).add(key)
                elif block is not None and _fuzzy(w.rules):
                    blocks.add(block)
        table = self.ctx.models.metadata.tables[DEDUPE_KEY_TABLE]
        columns = (table.c.record_id, table.c.kind, table.c.key, table.c.block)
        found: list[Any] = []
        for kind, keys in wanted.items():
            for chunk in _chunks(sorted(keys)):
                found += self.ctx.session.execute(sa.select(*columns).where(
                    table.c.kind == kind, _among(self.ctx, table.c.key, chunk)))
        for chunk in _chunks(sorted(blocks)):
            found += self.ctx.session.execute(_first_of_blocks(self.ctx, table, chunk))
        self.stored = _Index(sorted((_Key(*r) for r in found), key=lambda k: k.record_id))
        self.leads = _leads(writes[0], {k.record_id for k in self.stored.keys})
        self.earlier = _Index([])
        self.written: dict[int, LeadWrite] = {}
        self.teams: dict[int, str | None] = {}
        self.may_read = rights(self.ctx.registry, self.ctx.actor, "lead").allows("read")

    def matches(self, w: LeadWrite) -> list[Match]:
        """``w``'s matches among the stored leads and the batch's rows before it."""
        mine = {(kind, key) for kind, key, _ in w.keys if kind != "company_core"}
        block = next((b for kind, _, b in w.keys if kind == "company_core"), None)
        if not _fuzzy(w.rules):
            block = None
        rows = (self.stored.of(mine, block) + self.earlier.of(mine, block))[:MOST_ROWS]
        return _found(w, rows, self.leads, set())

    def add(self, w: LeadWrite, owner: int | None, unit: str | None) -> None:
        """``w`` is checked and placed: later rows find it like a lead already written."""
        pid = -1 - len(self.written)
        self.written[pid] = w
        self.earlier.extend([_Key(pid, kind, key, block) for kind, key, block in w.keys])
        actor = self.ctx.actor
        seen = actor.system or (self.may_read and (
            in_scope(self.ctx.models, actor, "lead", owner, unit, self._team)
            or in_pool(self.ctx.models, actor, owner, w.values.get("pool"), unit)))
        self.leads[pid] = {"lead_no": w.values.get("lead_no"), "status": w.values.get("status"),
                           "owner_id": owner, "visible": seen}

    def real_id(self, lead_id: int | None) -> int | None:
        """The id of the lead a match names, once the batch is written."""
        if lead_id is None or lead_id >= 0:
            return lead_id
        return self.written[lead_id].change.record.id

    def _team(self, user_id: int) -> str | None:
        if user_id not in self.teams:
            org = self.ctx.models.org
            self.teams[user_id] = self.ctx.session.scalar(sa.select(org.c.team).where(
                org.c.user_id == user_id))
        return self.teams[user_id]


class _Index:
    """Keys by (kind, key) and company cores by block, in the order they were added."""

    def __init__(self, keys: list[_Key]) -> None:
        self.keys: list[_Key] = []
        self.by_key: dict[tuple[str, str], list[_Key]] = {}
        self.by_block: dict[str | None, list[_Key]] = {}
        self.extend(keys)

    def extend(self, keys: list[_Key]) -> None:
        for k in keys:
            self.keys.append(k)
            if k.kind == "company_core":
                self.by_block.setdefault(k.block, []).append(k)
            else:
                self.by_key.setdefault((k.kind, k.key), []).append(k)

    def of(self, mine: set[tuple[str, str]], block: str | None) -> list[_Key]:
        """The keys one lead's query would find, in id order."""
        found = [k for pair in mine for k in self.by_key.get(pair, [])]
        if block is not None:
            found += self.by_block.get(block, [])
        return sorted(found, key=lambda k: abs(k.record_id))
