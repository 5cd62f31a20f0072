""""My day": the cards of a user's home page per role, built from the Registry and the
lists' addresses, so every number is a list the user can open and shows that list's count
(``workflow.day_lists``).

Cards are data (labels as ``Message`` or ``Label``, numbers as ``Stat`` and ``Table``);
the web layer translates and renders them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from leadloom.lifecycle import get_version
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.workflow.day_lists import Figure, Link, Lists
from leadloom.workflow.inbox import inbox
from leadloom.workflow.stages import funnel_of

Text = Message | Label | str
#: a table cell: a text, a linked count, or an amount of money
Cell = Text | Figure | Decimal
#: records listed under a card's numbers (deadlines, the oldest contracts)
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Stat:
    """A labelled number: a count linked to its list, or a derived value (a rate)."""

    label: Text
    figure: Figure | None = None
    value: str = ""
    #: a breach: the page marks it when it is not zero
    alert: bool = False
    #: where the number leads when it is not a list (the approvals inbox)
    href: str = ""
    #: an amount of money shown as the number
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Item:
    """One record under a card's numbers, with a note (time left, days waiting)."""

    text: Text
    href: str
    note: Text
    alert: bool = False
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Card:
    code: str
    title: Text
    stats: tuple[Stat, ...] = ()
    table: Table | None = None
    items: tuple[Item, ...] = ()


def countdown(due: dt.datetime, now: dt.datetime) -> Message:
    """Time left until ``due`` ("3 hours left") or past it ("2 hours overdue")."""
    seconds = (due - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    n, unit = ((max(minutes, 1), 0) if minutes < 60 else
               (minutes // 60, 1) if minutes < 48 * 60 else (minutes // 1440, 2))
    if seconds < 0:
        return (Message("%(n)s min overdue", n=n), Message("%(n)s hours overdue", n=n),
                Message("%(n)s days overdue", n=n))[unit]
    return (Message("%(n)s min left", n=n), Message("%(n)s hours left", n=n),
            Message("%(n)s days left", n=n))[unit]


def _stat(lists: Lists, label: Text, link: Link, alert: bool = False) -> Stat:
    return Stat(label, lists.figure(link), alert=alert)


def _running(lists: Lists, link: Link) -> Link:
    """``link`` narrowed to the leads still in the running funnel (not won or lost)."""
    funnel = funnel_of(lists.models.registry, "lead", lists.actor.unit)
    if funnel is None:
        return link
    return link.where(stage=",".join(s.code for s in funnel.stages if not s.closed))


def rep_cards(lists: Lists) -> list[Card]:
    """A rep's day: what is due, first-touch deadlines, my pipeline and my month."""
    mine = Link("lead", (("owner", "me"),))
    tasks = Link("task", (("assignee", "me"),))
    first = Link("lead", (("owner", "me"),), "first_touch")
    deadlines = tuple(
        Item(f"{lead.customer_name} · {lead.lead_no or ''}".rstrip(" ·"),
             f"/lead/show/{lead.id}", countdown(lead.first_touch_due_at, lists.now),
             lead.first_touch_due_at < lists.now)
        for lead in lists.rows(first, "first_touch_due_at", SHOWN))
    today = Card("today", Message("My day"), (
        _stat(lists, Message("Overdue tasks"), Link("task", tasks.filters, "overdue"), True),
        _stat(lists, Message("Tasks due today"), Link("task", tasks.filters, "due_today")),
        _stat(lists, Message("Overdue follow-ups"),
              _running(lists, Link("lead", mine.filters, "overdue")), True),
        _stat(lists, Message("Follow-ups due today"),
              _running(lists, Link("lead", mine.filters, "due_today"))),
        _stat(lists, Message("Awaiting first touch"), first)), items=deadlines)
    return [today, _pipeline(lists, mine), _month(lists)]


def _pipeline(lists: Lists, mine: Link) -> Card:
    registry = lists.models.registry
    funnel = funnel_of(registry, "lead", lists.actor.unit)
    if funnel is None:
        return Card("pipeline", Message("My pipeline"))
    field = registry.view("lead", lists.actor.unit).field(funnel.field)
    codes = [s.code for s in funnel.stages if s.outcome != "lost"]
    figures = lists.by(mine, funnel.field, codes, funnel.amount)
    rows = tuple((_option(field, code), f, f.amount or Decimal(0))
                 for code, f in zip(codes, figures, strict=True))
    return Card("pipeline", Message("My pipeline"), table=Table(
        (Message("Stage"), Message("Leads"), Message("Expected amount")), rows))


def _option(field: Any, code: str) -> Text:
    option = field.option(code)
    return option.label if option else code


def _month(lists: Lists) -> Card:
    new = Link("lead", (("owner", "me"), ("created_at", "this_month")))
    created = lists.figure(new)
    won = lists.figure(new.where(status="won"))
    rate = f"{won.count / created.count * 100:.1f}%" if created.count else "—"
    stats = [Stat(Message("New leads"), created),
             _stat(lists, Message("First contacted"),
                   Link("lead", (("owner", "me"), ("first_contact_at", "this_month")))),
             Stat(Message("Won (of this month's new)"), won),
             Stat(Message("Conversion"), value=rate)]
    if lists.may_list("contract"):
        stats.append(Stat(Message("Finance-confirmed contracts"), lists.figure(
            _confirmed(Link("contract", (("owner", "me"),))), "finance_confirmed_amount")))
    return Card("month", Message("My month"), tuple(stats))


def _confirmed(link: Link) -> Link:
    return link.where(finance_status="confirmed", finance_confirmed_at="this_month")


def supervisor_cards(lists: Lists, reps: Sequence[tuple[int, str]], locale: str) -> list[Card]:
    """A supervisor's day: the team's breaches and risks, approvals waiting, stalled deals,
    and a row per rep (``reps``: id and name of each rep of the team)."""
    team = Link("lead", (("owner", "my_team"),))
    first = Link("lead", team.filters, "first_touch")
    waiting = len(inbox(lists.session, lists.models, lists.actor, locale))
    stats = (
        _stat(lists, Message("First touch overdue"), first.where(first_touch_due_at="..now"),
              True),
        _stat(lists, Message("Overdue follow-ups"),
              _running(lists, Link("lead", team.filters, "overdue")), True),
        _stat(lists, Message("First touch due by tomorrow"),
              first.where(first_touch_due_at="now..+1d")),
        _stat(lists, Message("Stalled deals (30 days without follow-up)"),
              _running(lists, Link("lead", team.filters, "idle_30"))),
        Stat(Message("Approvals waiting for me"), value=str(waiting), href="/approvals/"))
    return [Card("team", Message("My team today"), stats),
            Card("reps", Message("Team members"), table=_rep_table(lists, team, reps))]


def _rep_table(lists: Lists, team: Link, reps: Sequence[tuple[int, str]]) -> Table:
    ids = [pk for pk, _ in reps]
    columns: list[list[Cell]] = [
        list(lists.by(_running(lists, link), "owner", ids))
        for link in (team, Link("lead", team.filters, "overdue"),
                     Link("lead", team.filters, "due_today"))]
    heads: list[Text] = [Message("Member"), Message("Open leads"),
                         Message("Overdue follow-ups"), Message("Follow-ups due today")]
    if lists.may_list("contract"):
        won = lists.by(_confirmed(Link("contract", team.filters)), "owner", ids,
                       "finance_confirmed_amount")
        columns += [list(won), [f.amount or Decimal(0) for f in won]]
        heads += [Message("Won this month"), Message("Confirmed amount")]
    rows = tuple((name, *(col[i] for col in columns)) for i, (_, name) in enumerate(reps))
    return Table(tuple(heads), rows)


def finance_cards(lists: Lists) -> list[Card]:
    """Finance's day: the contracts waiting for confirmation, their amount, the oldest."""
    awaiting = Link("contract", view="awaiting_finance")
    figure = lists.figure(awaiting, "amount")
    count = Figure(awaiting, figure.count)
    oldest = tuple(
        Item(str(c.contract_no), f"/contract/show/{c.id}",
             Message("waiting %(days)s days", days=(lists.now - c.created_at).days),
             amount=c.amount)
        for c in lists.rows(awaiting, "created_at", SHOWN))
    return [Card("finance", Message("Contracts awaiting confirmation"), (
        Stat(Message("Contracts"), count),
        Stat(Message("Total amount"), amount=figure.amount)), items=oldest)]


def marketing_cards(lists: Lists) -> list[Card]:
    """Marketing's day: today's new leads by source, with those flagged for verification
    and the possible duplicates."""
    today = Link("lead", (("created_at", "today"),))
    flagged = today.where(status="to_verify")
    doubles = today.where(duplicate_hint="!empty")
    sources = lists.values(today, "source")
    names = lists.titles("source", sources)
    columns = [lists.by(link, "source", sources) for link in (today, flagged, doubles)]
    rows = tuple((names.get(pk, f"#{pk}"), *(col[i] for col in columns))
                 for i, pk in enumerate(sources))
    return [Card("intake", Message("Today's intake"), (
        _stat(lists, Message("New today"), today),
        _stat(lists, Message("To verify"), flagged, True),
        _stat(lists, Message("Possible duplicates"), doubles, True)), table=Table(
        (Message("Source"), Message("New today"), Message("To verify"),
         Message("Possible duplicates")), rows))]


@dataclass(frozen=True, slots=True)
class JobHealth:
    """What the web layer knows of the job queue: inline mode, queued and failed jobs."""

    embedded: bool
    queued: int
    failed: int


def admin_cards(lists: Lists, jobs: JobHealth) -> list[Card]:
    """The admin's day: the active config version and the health of the jobs."""
    version = get_version(lists.session.connection())
    stats = [Stat(Message("Job mode"), value=Message("inline") if jobs.embedded
                  else Message("Redis queue")),
             Stat(Message("Queued jobs"), value=str(jobs.queued), href="/report-jobs/"),
             Stat(Message("Failed jobs"), value=str(jobs.failed), alert=True,
                  href="/report-jobs/")]
    items: tuple[Item, ...] = ()
    if version is not None:
        stats.insert(0, Stat(Message("Active config version"), value=str(version.number),
                             href=f"/config/versions/{version.number}"))
        when = version.created_at.replace(tzinfo=dt.UTC).astimezone(
            ZoneInfo(lists.models.registry.app.timezone))
        items = (Item(Message("Version %(n)s", n=version.number),
                      f"/config/versions/{version.number}",
                      Message("published by %(who)s at %(at)s", who=version.author,
                              at=when.strftime("%Y-%m-%d %H:%M"))),)
    return [Card("system", Message("System"), tuple(stats), items=items)]
