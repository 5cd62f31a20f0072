"""The start page, "my day": a card per concern of each of the user's roles (rep,
supervisor, finance, marketing, admin) plus the unread notifications. The numbers come from
``workflow.my_day``, each a link to the list it counts."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_appbuilder import IndexView, expose
from flask_appbuilder.security.sqla.models import User
from flask_babel import format_date

from leadloom.access import Actor
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label, Registry
from leadloom.records.leads import clock
from leadloom.records.notify import inbox as notifications
from leadloom.reporting.formats import money
from leadloom.web.actor import current_actor
from leadloom.web.labels import current_locale, local_time
from leadloom.web.language import translated
from leadloom.web.leads import hidden_statuses
from leadloom.web.notifications import GROUPED, KINDS, OTHER
from leadloom.web.reports import jobs
from leadloom.web.state import state
from leadloom.workflow.day_lists import Figure, Lists
from leadloom.workflow.my_day import (
    Card,
    Item,
    JobHealth,
    Stat,
    admin_cards,
    finance_cards,
    marketing_cards,
    rep_cards,
    supervisor_cards,
)


class Home(IndexView):
    index_template = "leadloom/home.html"

    @expose("/")
    def index(self) -> Any:
        st = state()
        actor = current_actor()
        locale = current_locale()
        title = st.registry.app.title.get(locale)
        if actor.user_id is None:
            return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                        title=title, cards=[], who="")
        cards = [_card(c, locale) for c in day_cards(actor, locale)]
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    title=title, cards=cards, who=_who(actor, locale),
                                    today=format_date(local_time(clock.now()).date(), "full"))


def day_cards(actor: Actor, locale: str) -> list[Card]:
    """The cards of each of ``actor``'s roles, in the order of a working day."""
    st = state()
    lists = Lists(st.db.session, st.models, actor, clock.now(),
                  lambda entity, filtering: hidden_statuses(st.registry, entity, actor,
                                                            filtering))
    roles = set(actor.roles)
    cards: list[Card] = []
    if "rep" in roles:
        cards += rep_cards(lists)
    if "supervisor" in roles:
        cards += supervisor_cards(lists, _reps_of(actor), locale)
    if "finance" in roles:
        cards += finance_cards(lists)
    if "marketing" in roles:
        cards += marketing_cards(lists)
    if any(r.admin for r in st.registry.roles if r.code in roles):
        queue = jobs()
        cards += admin_cards(lists, JobHealth(queue.embedded, queue.queue.count,
                                              len(queue.failed())))
    return [*cards, _unread(actor)]


def _unread(actor: Actor) -> Card:
    """My unread notifications, one number per kind, each opening the inbox."""
    st = state()
    kinds = Counter(m.kind for m in notifications(st.db.session, st.models, actor.user_id,
                                                  unread_only=True, limit=GROUPED))
    return Card("inbox", Message("Unread notifications"), tuple(
        Stat(KINDS.get(kind, OTHER), value=str(n), href="/notifications/")
        for kind, n in kinds.most_common()))


def _reps_of(actor: Actor) -> list[tuple[int, str]]:
    """The reps of the supervisor's team (id, name), by name."""
    st = state()
    org = st.models.org
    if not actor.team or org is None:
        return []
    ids = st.db.session.scalars(sa.select(org.c.user_id).where(org.c.team == actor.team))
    users = st.db.session.scalars(sa.select(User).where(User.id.in_(list(ids))))
    return sorted(((u.id, _name(u)) for u in users if any(r.name == "rep" for r in u.roles)),
                  key=lambda pair: pair[1])


def _name(user: Any) -> str:
    return f"{user.first_name or ''}{user.last_name or ''}".strip() or user.username


def _who(actor: Actor, locale: str) -> str:
    """"孙小明 · 华东一组 · 华东大区": the user's name and place, by their labels."""
    st = state()
    user = st.db.session.get(User, actor.user_id)
    parts = [_name(user) if user else actor.username]
    unit = next((u for u in st.registry.units if u.code == actor.unit), None)
    team = next((t for u in st.registry.units for t in u.teams if t.code == actor.team), None)
    parts += [x.label.get(locale) for x in (team, unit) if x is not None]
    parts += [_role_label(st.registry, code, locale) for code in actor.roles]
    return " · ".join(p for p in parts if p)


def _role_label(registry: Registry, code: str, locale: str) -> str:
    role = next((r for r in registry.roles if r.code == code), None)
    return role.label.get(locale) if role else ""


# ---- cards as the template reads them ---------------------------------------------------
def _text(text: Any, locale: str) -> str:
    if isinstance(text, Message):
        return translated(text)
    if isinstance(text, Label):
        return text.get(locale)
    return str(text)


def _card(card: Card, locale: str) -> dict[str, Any]:
    return {
        "code": card.code, "title": _text(card.title, locale),
        "stats": [_stat(s, locale) for s in card.stats],
        "columns": [_text(c, locale) for c in card.table.columns] if card.table else [],
        "rows": [[_cell(c, locale) for c in row] for row in card.table.rows]
        if card.table else [],
        "entries": [_item(i, locale) for i in card.items],
    }


def _stat(stat: Stat, locale: str) -> dict[str, Any]:
    if stat.figure is not None:
        shown = _cell(stat.figure, locale)
        if stat.figure.amount is not None:
            shown["amount"] = money(stat.figure.amount, locale)
    elif stat.amount is not None:
        shown = {"text": money(stat.amount, locale), "href": ""}
    else:
        shown = {"text": _text(stat.value, locale), "href": stat.href,
                 "word": not stat.value.replace(".", "").rstrip("%").isdigit()}
    count = stat.figure.count if stat.figure is not None else None
    alert = stat.alert and (count or stat.value not in ("", "0"))
    return {**shown, "label": _text(stat.label, locale), "alert": bool(alert)}


def _cell(cell: Any, locale: str) -> dict[str, Any]:
    if isinstance(cell, Figure):
        return {"text": str(cell.count), "href": cell.link.url, "count": cell.count}
    if isinstance(cell, Decimal):
        return {"text": money(cell, locale), "href": "", "money": True}
    return {"text": _text(cell, locale), "href": ""}


def _item(item: Item, locale: str) -> dict[str, Any]:
    return {"text": _text(item.text, locale), "href": item.href, "note": _text(item.note, locale),
            "alert": item.alert,
            "amount": money(item.amount, locale) if item.amount is not None else ""}
