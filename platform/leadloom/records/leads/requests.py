"""Asking about a lead one may not open: a search shows its duplicate notice (number, masked
owner, status); from there a rep asks the owner to work on it together (collaboration) or to
hand it over (transfer). The owner and the owner's supervisors get a message linking to the
lead, which they can open; a supervisor answers a transfer by assigning the lead as usual.

One ask per requester, lead, kind and local day: the messages' keys say so, so a second ask
the same day changes nothing and is refused as too soon.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from leadloom.access import rights, scope_clause
from leadloom.metadata.messages import Message
from leadloom.model.notifications import NOTIFICATION_TABLE
from leadloom.model.tables import utcnow
from leadloom.records.errors import Forbidden, NotFound, RecordError, RecordInvalid
from leadloom.records.leads.periodic import managers_of
from leadloom.records.leads.state import user_name
from leadloom.records.notify import notify
from leadloom.records.service import Context, commit

#: the kinds of ask, and the notification kind each sends
KINDS = {"collaboration": "collab_request", "transfer": "transfer_request"}
#: what each says in the owner's inbox (app language), with requester, number, customer
TITLES = {
    "collaboration": ("{who} 申请协作线索 {no}（{customer}）",
                      "{who} asks to work with you on lead {no} ({customer})"),
    "transfer": ("{who} 申请转移线索 {no}（{customer}）给自己",
                 "{who} asks for lead {no} ({customer}) to be transferred to them"),
}


class TooSoon(RecordError):
    """The same ask was made today already."""

    status = 429


def ask(ctx: Context, kind: str, lead_no: str, now: dt.datetime | None = None) -> int:
    """Tell the owner of lead ``lead_no`` and their supervisors that ``ctx.actor`` asks for
    ``kind`` (``collaboration`` or ``transfer``); commit; return how many were told.

    :raises RecordInvalid: an unknown kind, a lead the actor may open already, or a lead in
        the public pool (claimed there, not asked for).
    :raises Forbidden: the actor does not work with leads.
    :raises NotFound: no lead has that number.
    :raises TooSoon: the actor asked the same about this lead today.
    """
    if kind not in KINDS:
        raise RecordInvalid({"kind": [Message("ask for collaboration or transfer")]})
    actor = ctx.actor
    if actor.user_id is None or not rights(ctx.registry, actor, "lead").allows("read"):
        raise Forbidden(Message("your role does not work with leads"))
    lead = ctx.models.cls("lead")
    row = ctx.session.execute(sa.select(
        lead.id, lead.owner_id, lead.unit, lead.customer_name,
        scope_clause(ctx.models, actor, "lead").label("readable")).where(
        lead.lead_no == lead_no.strip())).first()
    if row is None:
        raise NotFound(Message("no lead has the number %(no)s", no=lead_no.strip()[:40]))
    if row.readable:
        raise RecordInvalid({"lead_no": [Message("you may open this lead yourself already")]})
    if row.owner_id is None:
        raise RecordInvalid({"lead_no": [Message(
            "this lead is in the public pool: claim it there")]})
    at = now or utcnow()
    day = at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(ctx.registry.app.timezone)).date()
    key = f"ask:{kind}:{row.id}:{actor.user_id}:{day.isoformat()}"
    if _asked(ctx, f"{key}:{row.owner_id}"):
        raise TooSoon(Message("you asked about this lead today already; the owner has been "
                              "told, ask again tomorrow if need be"))
    zh, en = TITLES[kind]
    text = zh if ctx.registry.app.default_locale == "zh" else en
    title = text.format(who=user_name(ctx, actor.user_id), no=lead_no.strip(),
                        customer=row.customer_name or "")
    told = [u for u in (row.owner_id, *managers_of(ctx, row.owner_id, row.unit))
            if u != actor.user_id]
    for user in told:
        notify(ctx, user, KINDS[kind], title, f"/lead/show/{row.id}", key=f"{key}:{user}",
               at=at)
    commit(ctx)
    return len(told)


def _asked(ctx: Context, key: str) -> bool:
    table = ctx.models.metadata.tables[NOTIFICATION_TABLE]
    return ctx.session.scalar(sa.select(sa.func.count()).select_from(table).where(
        table.c.key == key)) > 0
