"""The public pool (公海): list it, claim from it, assign from it, return a lead to it.

Claims follow the pool's rules (``config/leads.yaml`` ``pools``): at most
``claims_per_day`` a day (Asia/Shanghai), at most ``holding_cap`` open leads held, and
the lead's previous owner waits ``cooldown_days`` after it left them. The checks run here;
the change itself goes through ``records.update`` — as the claiming user, with the rights
the pool (not their role) grants for this one change, on channel ``claim``/``assign``/
``release`` — so every hook runs and the history says who did it.

Two people racing for one lead: the write itself re-checks, on the version it writes,
that the lead is still in the pool (still held by its owner, for a return), so exactly one
wins and the other is refused with ``Conflict`` (409, "已被领取").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from leadloom.access import pool_clause, scope_clause
from leadloom.access.pools import pool_roles
from leadloom.metadata.lead_rules import LeadRules
from leadloom.metadata.messages import Message
from leadloom.metadata.phones import normalize_phone
from leadloom.model.leads import LEAD_EVENT_TABLE
from leadloom.records.batch_update import CONFLICT, bulk_update
from leadloom.records.errors import Conflict, Forbidden, NotFound, RecordError, RecordInvalid
from leadloom.records.leads import clock
from leadloom.records.leads.state import user_name
from leadloom.records.service import Context, Precondition, get, update

DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PoolLead:
    """What a pool member sees of a lead: no contact details but a masked phone."""

    id: int
    lead_no: str | None
    customer_name: str
    industry: str | None
    grade: str | None
    value_level: str | None
    source_id: int | None
    city: str | None
    status: str
    created_at: dt.datetime
    unit: str | None
    phone: str | None = None
    #: how often it was followed up, and the latest touch (what a member reads before
    #: claiming: who talked to the customer, how, and what came of it)
    followups: int = 0
    last_followup: LastTouch | None = None

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["created_at"] = self.created_at.isoformat() if self.created_at else None
        if self.last_followup is not None:
            data["last_followup"]["at"] = self.last_followup.at.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class LastTouch:
    at: dt.datetime
    method: str | None
    summary: str


def rules_of(ctx: Context, unit: str | None) -> LeadRules:
    rules = ctx.registry.lead_rules
    if rules is None:
        raise NotFound(Message("this configuration has no lead pool (no leads.yaml)"))
    return rules.for_unit(unit)


@dataclass(frozen=True, slots=True)
class PoolQuery:
    """One page of the pool: a search text and option filters, ``limit`` from ``offset``."""

    search: str = ""
    industry: str = ""
    grade: str = ""
    offset: int = 0
    limit: int = 200


def pool_leads(ctx: Context, *, limit: int = 200) -> list[PoolLead]:
    """The pool of the actor's unit (every pool for admins), oldest first."""
    return pool_page(ctx, PoolQuery(limit=limit))[1]


def pool_page(ctx: Context, query: PoolQuery) -> tuple[int, list[PoolLead]]:
    """(how many match, the page of them) in the actor's pool, oldest first."""
    rules_of(ctx, ctx.actor.unit)
    table = ctx.models.cls("lead").__table__
    where = sa.and_(pool_clause(ctx.models, ctx.actor), *_matching(table, query))
    total = ctx.session.scalar(sa.select(sa.func.count()).select_from(table).where(where))
    columns = [table.c[name] for name in ("id", "lead_no", "customer_name", "industry",
                                          "grade", "value_level", "source_id", "city",
                                          "status", "created_at", "unit")]
    rows = ctx.session.execute(sa.select(*columns, table.c.contact_phone,
                                         table.c.followup_count).where(where)
                               .order_by(table.c.id).offset(query.offset)
                               .limit(query.limit)).all()
    touches = _last_touches(ctx, [row.id for row in rows])
    return total or 0, [PoolLead(**{k: v for k, v in row._mapping.items()
                                    if k not in ("contact_phone", "followup_count")},
                                 phone=mask_phone(row.contact_phone),
                                 followups=row.followup_count or 0,
                                 last_followup=touches.get(row.id)) for row in rows]


#: how much of the latest follow-up's summary the pool shows
SUMMARY_CHARS = 80


def _last_touches(ctx: Context, lead_ids: list[int]) -> dict[int, LastTouch]:
    """The latest follow-up of each lead of a pool page (one query for the page)."""
    entity = ctx.registry.entity("followup")  # the lead rules require it
    if not lead_ids or not entity.has_field("summary"):
        return {}
    followup = ctx.models.cls("followup").__table__
    method = followup.c.method if entity.has_field("method") else sa.null()
    rows = ctx.session.execute(
        sa.select(followup.c.lead_id, followup.c.occurred_at, method.label("method"),
                  followup.c.summary)
        .where(followup.c.lead_id.in_(lead_ids))
        .order_by(followup.c.lead_id, followup.c.occurred_at.desc(), followup.c.id.desc()))
    found: dict[int, LastTouch] = {}
    for row in rows:
        if row.lead_id not in found:
            summary = row.summary or ""
            found[row.lead_id] = LastTouch(row.occurred_at, row.method, summary[:SUMMARY_CHARS]
                                           + ("…" if len(summary) > SUMMARY_CHARS else ""))
    return found


def _matching(table: sa.Table, query: PoolQuery) -> list[sa.ColumnElement[bool]]:
    """The query's conditions: a phone in any format matches exactly, other text a part
    of the number or the customer's name."""
    found: list[sa.ColumnElement[bool]] = []
    text = query.search.strip()
    phone = normalize_phone(text) if text else None
    if phone:
        found.append(table.c.contact_phone == phone)
    elif text:
        like = f"%{text}%"
        found.append(sa.or_(table.c.lead_no.ilike(like), table.c.customer_name.ilike(like)))
    if query.industry:
        found.append(table.c.industry == query.industry)
    if query.grade:
        found.append(table.c.grade == query.grade)
    return found


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``: enough to recognise, not to call."""
    if not phone:
        return None
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) > 7 else "****"


def claim(ctx: Context, lead_id: int) -> Any:
    """Take lead ``lead_id`` from the pool.

    :raises NotFound: not in a pool the actor sees.
    :raises Forbidden: not a claiming role, or a limit (daily claims, holding cap,
        cool-down) says no; the message says which and until when.
    """
    rules = rules_of(ctx, ctx.actor.unit)
    claims, _ = pool_roles(ctx.models, ctx.actor)
    if not claims or ctx.actor.user_id is None:
        raise Forbidden(Message("your role may not claim leads from the pool"))
    _in_pool(ctx, lead_id)
    now = clock.now()
    _check_cooldown(ctx, rules, lead_id, now)
    _check_daily(ctx, rules, now)
    _check_cap(ctx, rules, ctx.actor.user_id)
    return update(_acting(ctx, "claim"), "lead", lead_id, {"owner": ctx.actor.user_id},
                  precondition=_still_in_pool(ctx))


def assign_from_pool(ctx: Context, lead_id: int, user_id: int) -> Any:
    """A pool manager (supervisor) hands a pool lead to ``user_id``.

    :raises Forbidden: the actor does not manage the pool, or the user is at the cap.
    """
    rules = rules_of(ctx, ctx.actor.unit)
    _, manages = pool_roles(ctx.models, ctx.actor)
    if not manages:
        raise Forbidden(Message("only the pool's managers may assign its leads"))
    _in_pool(ctx, lead_id)
    _check_cap(ctx, rules, user_id)
    return update(_acting(ctx, "assign"), "lead", lead_id, {"owner": user_id},
                  precondition=_still_in_pool(ctx))


def assign_many_from_pool(ctx: Context, lead_ids: Sequence[int], user_id: int
                          ) -> dict[int, RecordError]:
    """A pool manager hands several pool leads to ``user_id`` in one write-path batch
    (``records.bulk_update``), each lead checked as ``assign_from_pool`` checks it; the
    user's holding cap counts on as the batch fills it. Returns why each refused lead was
    refused (empty: all assigned); a refused lead never stops the others.

    :raises Forbidden: the actor does not manage the pool (nothing is read).
    """
    rules = rules_of(ctx, ctx.actor.unit)
    _, manages = pool_roles(ctx.models, ctx.actor)
    if not manages:
        raise Forbidden(Message("only the pool's managers may assign its leads"))
    cls = ctx.models.cls("lead")
    pooled = dict(ctx.session.execute(sa.select(cls.id, cls.version).where(
        cls.id.in_(lead_ids), pool_clause(ctx.models, ctx.actor))).all())
    refused: dict[int, RecordError] = {
        pk: _not_in_pool(ctx, pk) for pk in lead_ids if pk not in pooled}
    held = _held(ctx, rules, user_id)
    fit: dict[int, dict[str, Any]] = {}
    for pk in (pk for pk in lead_ids if pk in pooled):
        full = _cap_reached(rules, held + len(fit))
        if full is not None:
            refused[pk] = full
        else:  # the version read with the pool check: a lead taken since is a conflict
            fit[pk] = {"owner": user_id, "version": pooled[pk]}
    if fit:
        result = bulk_update(_acting(ctx, "assign"), "lead", fit)
        refused |= {pk: Conflict(_taken(ctx)) if o.status == CONFLICT else o.error
                    for pk, o in result.failed.items() if o.error is not None}
    return {pk: refused[pk] for pk in lead_ids if pk in refused}


def release(ctx: Context, lead_id: int, reason: str | None) -> Any:
    """Return a lead to its unit's pool: its owner gives it up, or a manager who sees it
    takes it back. The previous owner's cool-down starts now.

    :raises NotFound: the actor may not see the lead.
    :raises RecordInvalid: a reason is required and missing.
    """
    record = get(ctx, "lead", lead_id)
    rules = rules_of(ctx, record.unit)
    _, manages = pool_roles(ctx.models, ctx.actor)
    if record.owner_id is None:
        raise RecordInvalid({"owner": [Message("the lead is in the pool already")]})
    if record.owner_id != ctx.actor.user_id and not manages:
        raise Forbidden(Message(
            "only the lead's owner or a pool manager may return it to the pool"))
    if rules.pools.release_reason_required and not (reason or "").strip():
        raise RecordInvalid({"reason": [Message("say why the lead goes back to the pool")]})
    acting = _acting(ctx, "release", comment=(reason or "").strip() or None)
    owner = ctx.models.cls("lead").owner_id == record.owner_id
    return update(acting, "lead", lead_id, {"owner": None},
                  precondition=Precondition(owner, _changed_hands(ctx)))


def _acting(ctx: Context, channel: str, comment: str | None = None) -> Context:
    """The actor, with the rights the pool grants for this one change."""
    meta = {**ctx.meta, **({"comment": comment} if comment else {})}
    return Context(dataclasses.replace(ctx.actor, system=True), ctx.session, ctx.models,
                   channel=channel, meta=meta)


def _in_pool(ctx: Context, lead_id: int) -> None:
    """Whether the lead is in the actor's pool: 404 if it never was, 409 if it was taken."""
    cls = ctx.models.cls("lead")
    found = ctx.session.scalar(sa.select(cls.id).where(
        cls.id == lead_id, pool_clause(ctx.models, ctx.actor)))
    if found is not None:
        return
    raise _not_in_pool(ctx, lead_id)


def _not_in_pool(ctx: Context, lead_id: int) -> RecordError:
    """Why a lead is not in the actor's pool: taken by someone (409), or never was (404)."""
    cls = ctx.models.cls("lead")
    held = ctx.session.execute(sa.select(cls.owner_id, cls.unit).where(cls.id == lead_id)
                               ).first()
    if held is not None and held.owner_id is not None and _pool_unit(ctx, held.unit):
        return Conflict(_taken(ctx))
    return NotFound(Message("lead #%(id)s is not in your pool", id=lead_id))


def _pool_unit(ctx: Context, unit: str | None) -> bool:
    """Whether the pool of ``unit`` is one the actor sees (as ``pool_clause`` says)."""
    _, manages = pool_roles(ctx.models, ctx.actor)
    admin = any(r.admin for r in ctx.registry.roles if r.code in ctx.actor.roles)
    return admin or unit == ctx.actor.unit or (manages and unit is None)


def _still_in_pool(ctx: Context) -> Precondition:
    """The pool check of ``_in_pool`` again, made by the write on the version it writes."""
    return Precondition(pool_clause(ctx.models, ctx.actor), _taken(ctx))


def _taken(ctx: Context) -> Message:
    """Someone else was faster; who, is not said (the actor may not see their leads)."""
    return Message("already claimed")


def _changed_hands(ctx: Context) -> Message:
    return Message("returned or taken by someone else meanwhile")


def _events(ctx: Context) -> sa.Table:
    return ctx.models.metadata.tables[LEAD_EVENT_TABLE]


def _check_daily(ctx: Context, rules: LeadRules, now: dt.datetime) -> None:
    calendar = rules.calendar
    start = calendar.to_utc(dt.datetime.combine(calendar.local_date(now), dt.time()))
    events = _events(ctx)
    taken = ctx.session.scalar(sa.select(sa.func.count()).select_from(events).where(
        events.c.kind == "claimed", events.c.actor_id == ctx.actor.user_id,
        events.c.at >= start)) or 0
    if taken >= rules.pools.claims_per_day:
        raise Forbidden(Message("you have claimed %(taken)s leads today, the most a day "
                                "(%(most)s); claim again tomorrow",
                                taken=taken, most=rules.pools.claims_per_day))


def _check_cap(ctx: Context, rules: LeadRules, user_id: int) -> None:
    full = _cap_reached(rules, _held(ctx, rules, user_id))
    if full is not None:
        raise full


def _held(ctx: Context, rules: LeadRules, user_id: int) -> int:
    """How many open leads ``user_id`` holds."""
    lead = ctx.models.cls("lead").__table__
    return ctx.session.scalar(sa.select(sa.func.count()).select_from(lead).where(
        lead.c.owner_id == user_id, lead.c.status.in_(rules.open_statuses))) or 0


def _cap_reached(rules: LeadRules, held: int) -> Forbidden | None:
    """The refusal when someone holding ``held`` open leads may take no more."""
    if rules.pools.holding_cap and held >= rules.pools.holding_cap:
        return Forbidden(Message("%(held)s open leads are held already, the most allowed "
                                 "(%(most)s); close or return some first",
                                 held=held, most=rules.pools.holding_cap))
    return None


def _check_cooldown(ctx: Context, rules: LeadRules, lead_id: int, now: dt.datetime) -> None:
    days = rules.pools.cooldown_days
    if not days:
        return
    events = _events(ctx)
    left = ctx.session.scalar(sa.select(sa.func.max(events.c.at)).where(
        events.c.lead_id == lead_id, events.c.kind.in_(("reclaimed", "released")),
        events.c.user_id == ctx.actor.user_id))
    if left is not None and now < left + days * DAY:
        until = rules.calendar.local(left + days * DAY).strftime("%Y-%m-%d %H:%M")
        raise Forbidden(Message("this lead left you less than %(days)s days ago; you may "
                                "claim it again from %(until)s", days=days, until=until))


def assignable_users(ctx: Context, unit: str | None) -> list[tuple[int, str]]:
    """(id, name) of the claiming roles' users in ``unit``, for a manager's choice."""
    rules = rules_of(ctx, unit)
    org = ctx.models.org
    query = (sa.select(User.id, User.username).join(assoc_user_role,
                                                   assoc_user_role.c.user_id == User.id)
             .join(Role, Role.id == assoc_user_role.c.role_id)
             .join(org, org.c.user_id == User.id)
             .where(Role.name.in_(rules.pools.claim_roles), User.active.is_(True),
                    org.c.unit == unit if unit else org.c.unit.is_(None))
             .order_by(User.username).distinct())
    return [(r.id, user_name(ctx, r.id)) for r in ctx.session.execute(query)]


def visible(ctx: Context, lead_id: int) -> bool:
    """Whether the actor may open lead ``lead_id`` (its own scope, or its pool)."""
    cls = ctx.models.cls("lead")
    return ctx.session.scalar(sa.select(cls.id).where(cls.id == lead_id, sa.or_(
        scope_clause(ctx.models, ctx.actor, "lead"), pool_clause(ctx.models, ctx.actor)))
    ) is not None
