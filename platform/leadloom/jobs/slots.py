"""Schedule slots claimed in the database, so that a slot runs once however many web
processes (embedded mode) or schedulers (Redis) race for it, and a slot missed while every
process was down runs when one comes back.

A rule is one cron line of the config: a lead-rule job (``leads.sla``, from
``config/leads.yaml``'s ``schedule:``) or a scheduled report (``report.weekly_funnel``).
Its slots are the cron's times in its time zone; claiming one is inserting the unique
(rule, slot) row of ``ll_schedule_run``: the process whose insert succeeds runs it.

In the embedded mode a claimed slot's job lives in the claiming web process only, so a
claim whose process died on this host before the job finished is taken over by the next
process that starts there. With Redis the job outlives the scheduler, so claims stay.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from croniter import croniter
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from leadloom.model.schedules import add_schedule_table
from leadloom.records.leads import clock

DETAIL_LENGTH = 300


@dataclass(frozen=True, slots=True)
class ScheduledRule:
    """One cron line: ``name`` (``leads.<job>`` or ``report.<name>``), read in ``zone``."""

    name: str
    cron: str
    zone: ZoneInfo

    def latest(self, moment: dt.datetime) -> dt.datetime:
        """The last slot at or before ``moment`` (aware), in UTC."""
        local = moment.astimezone(self.zone) + dt.timedelta(microseconds=1)
        found: dt.datetime = croniter(self.cron, local).get_prev(dt.datetime)
        return found.astimezone(dt.UTC)

    def following(self, moment: dt.datetime) -> dt.datetime:
        """The first slot after ``moment`` (aware), in UTC."""
        found: dt.datetime = croniter(self.cron, moment.astimezone(self.zone)).get_next(
            dt.datetime)
        return found.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class SlotRun:
    """A claimed slot as the admin page shows it (times naive UTC)."""

    rule: str
    slot: dt.datetime
    outcome: str
    detail: str | None
    claimed_by: str
    finished_at: dt.datetime | None


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def died_here(claimed_by: str) -> bool:
    """Whether the claiming process ran on this host and is gone."""
    host, _, pid = claimed_by.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not alive(int(pid))


class SlotClaims:
    """The ``ll_schedule_run`` table, through ``sessions`` (each call its own transaction).

    ``embedded``: take over the unfinished claims of dead processes of this host.
    """

    def __init__(self, sessions: sessionmaker[Session], *, embedded: bool = False) -> None:
        self.sessions = sessions
        self.embedded = embedded
        self.table = add_schedule_table(sa.MetaData())

    def last_slot(self, rule: str) -> dt.datetime | None:
        """The latest slot claimed for ``rule`` (aware UTC), None if it never was; just
        before it if that claim is to be taken over, so it is claimed again."""
        table = self.table
        with self.sessions() as session:
            row = session.execute(sa.select(table.c.slot, table.c.outcome, table.c.claimed_by)
                                  .where(table.c.rule == rule)
                                  .order_by(table.c.slot.desc()).limit(1)).first()
        if row is None:
            return None
        slot = row.slot.replace(tzinfo=dt.UTC)
        if self._abandoned(row.outcome, row.claimed_by):
            return slot - dt.timedelta(microseconds=1)
        return slot

    def claim(self, rule: str, slot: dt.datetime, outcome: str = "queued") -> bool:
        """Insert the (rule, slot) row, or take over an abandoned one; False if another
        process holds it."""
        row = {"rule": rule, "slot": _naive(slot), "outcome": outcome,
               "claimed_by": process_name(), "claimed_at": clock.now()}
        with self.sessions() as session:
            try:
                session.execute(sa.insert(self.table).values(**row))
                session.commit()
            except IntegrityError:
                session.rollback()
                return self._take_over(session, row)
        return True

    def _abandoned(self, outcome: str, claimed_by: str) -> bool:
        return self.embedded and outcome == "queued" and died_here(claimed_by)

    def _take_over(self, session: Session, row: dict[str, Any]) -> bool:
        table = self.table
        mine = (table.c.rule == row["rule"], table.c.slot == row["slot"])
        held = session.execute(sa.select(table.c.outcome, table.c.claimed_by)
                               .where(*mine)).first()
        if held is None or not self._abandoned(held.outcome, held.claimed_by):
            return False
        taken = session.execute(sa.update(table).where(
            *mine, table.c.claimed_by == held.claimed_by, table.c.outcome == "queued")
            .values(claimed_by=row["claimed_by"], claimed_at=row["claimed_at"]))
        session.commit()
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]

    def finish(self, rule: str, slot: dt.datetime, outcome: str, detail: str) -> None:
        """Record how the run of a claimed slot went (``done`` or ``failed``)."""
        with self.sessions() as session:
            session.execute(sa.update(self.table).where(
                self.table.c.rule == rule, self.table.c.slot == _naive(slot)).values(
                outcome=outcome, detail=detail[:DETAIL_LENGTH], finished_at=clock.now()))
            session.commit()

    def latest_runs(self) -> dict[str, SlotRun]:
        """Each rule's latest claimed slot, by rule name."""
        table = self.table
        latest = (sa.select(table.c.rule, sa.func.max(table.c.slot).label("slot"))
                  .group_by(table.c.rule).subquery())
        query = sa.select(table).join(latest, sa.and_(table.c.rule == latest.c.rule,
                                                      table.c.slot == latest.c.slot))
        with self.sessions() as session:
            rows: list[Any] = list(session.execute(query))
        return {r.rule: SlotRun(r.rule, r.slot, r.outcome, r.detail, r.claimed_by,
                                r.finished_at) for r in rows}
