"""The periodic work of the lead rules, as plain job functions: ``leadloom tick`` runs them
now, a scheduler runs them nightly / every morning.

Each takes a system ``Context`` and the time to act at (``now``, naive UTC: tests freeze
it), commits its own work and returns a count. Every message carries a key, so running a
job twice in a day sends nothing twice: jobs are safe to retry.

- ``reclaim``: leads without a follow-up for ``reclaim.after_days`` go back to the pool;
  their owner is warned ``warn_days`` before (X-02);
- ``check_sla``: first-touch deadlines about to pass or passed (owner, then supervisors),
  follow-ups overdue by the cadence (N-04, N-10);
- ``stale_alerts``: open leads without activity for ``stale_after_days`` (N-03);
- ``task_reminders``: the ``task_rules`` a date makes true (or done), tasks due within a
  day, and overdue ones (N-02);
- ``daily_digest``: each user's to-do summary of the day (§2.11).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from leadloom.metadata.messages import Message
from leadloom.records.batch_update import bulk_update
from leadloom.records.errors import RecordError
from leadloom.records.leads.event_tasks import sweep
from leadloom.records.leads.notices import (
    DIGEST,
    GATHERED,
    lead_notice,
    overdue_notice,
    task_notice,
)
from leadloom.records.leads.notices import link as _link
from leadloom.records.leads.open_leads import activity as _activity
from leadloom.records.leads.open_leads import all_rules, idle_clause
from leadloom.records.leads.open_leads import open_leads as _open_leads
from leadloom.records.leads.open_leads import unit_rules as _rules
from leadloom.records.leads.reclaim_scope import idle_leads
from leadloom.records.leads.sla_records import mark_breached
from leadloom.records.notify import Note, notify_gathered, notify_many
from leadloom.records.service import Context, commit

DAY = dt.timedelta(days=1)
#: leads a reclaim returns per write-path batch (one transaction each)
RECLAIM_BATCH = 1000


def _zh(ctx: Context) -> bool:
    return ctx.registry.app.default_locale == "zh"


def reclaim(ctx: Context, now: dt.datetime) -> int:
    """Return idle leads to the pool; warn their owners first. Returns how many went back.

    The leads due back go through the write path in batches (``records.bulk_update``),
    each with its own reason in the history and the audit trail; a lead the write path
    refuses, or that someone changed meanwhile, stays where it is.
    """
    zh = _zh(ctx)
    due: list[tuple[Any, int]] = []
    notes: list[Note] = []
    for idle in idle_leads(ctx, now):
        row = idle.row
        if idle.due:
            due.append((row, idle.days))
            continue
        calendar = _rules(ctx, row.unit).calendar
        day = calendar.local_date(now) + dt.timedelta(days=idle.left)
        notes.append(Note(row.owner_id, "reclaim_warning",
                          lead_notice("reclaim_warning", row, calendar, day, days=idle.days,
                                      left=idle.left),
                          _link(row.id),
                          key=f"reclaim-warn:{row.id}:{_activity(row).isoformat()}", at=now))
    managers = Managers(ctx)
    returned = 0
    for start in range(0, len(due), RECLAIM_BATCH):
        batch = due[start:start + RECLAIM_BATCH]
        back = _return(ctx, batch, zh)
        returned += len(back)
        notes += [note for row, idle in batch if row.id in back
                  for note in _reclaimed_notes(ctx, row, idle, now, managers)]
    notify_many(ctx, notes)
    commit(ctx)
    return returned


def _return(ctx: Context, batch: list[tuple[Any, int]], zh: bool) -> set[int]:
    """Give ``batch``'s leads up to the pool in one write-path batch; the ids that went."""
    job = Context(ctx.actor, ctx.session, ctx.models, channel="reclaim")
    reasons = {row.id: {"comment": f"{idle} 天未跟进，自动退回公海" if zh
                        else f"no follow-up for {idle} days: back to the pool"}
               for row, idle in batch}
    try:
        result = bulk_update(job, "lead", {row.id: {"owner": None} for row, _ in batch},
                             meta=reasons)
    except RecordError:  # the database refused the batch: it waits for the next run
        return set()
    return set(result.updated)


def _reclaimed_notes(ctx: Context, row: Any, idle: int, now: dt.datetime,
                     managers: Managers) -> list[Note]:
    """The previous owner hears their lead went back, and so do their supervisors."""
    text = lead_notice("reclaimed", row, _rules(ctx, row.unit).calendar, None, days=idle)
    return [Note(user, "reclaimed", text, _link(row.id), at=now)
            for user in (row.owner_id, *managers.of(row.owner_id, row.unit))]


def check_sla(ctx: Context, now: dt.datetime) -> int:
    """First-touch warnings and breaches, and overdue cadence follow-ups; returns how many
    messages went out. The SLA records past due and unmet are marked breached."""
    mark_breached(ctx, now)
    table = ctx.models.cls("lead").__table__
    managers = Managers(ctx)
    notes: list[Note] = []
    sent = 0
    for row in _open_leads(ctx, table.c.first_contact_at.is_(None),
                           table.c.first_touch_due_at.is_not(None)):
        rules = _rules(ctx, row.unit)
        due = row.first_touch_due_at
        if due <= now:
            title = lead_notice("sla_breach", row, rules.calendar, due)
            key = f"sla-breach:{row.id}:{due.isoformat()}"
            notes += [Note(user, "sla_breach", title, _link(row.id), key=f"{key}:{user}", at=now)
                      for user in (row.owner_id, *managers.of(row.owner_id, row.unit))]
            sent += 1
        elif due - rules.sla.warn_before.get(row.grade).delta <= now:
            notes.append(Note(row.owner_id, "sla_warning",
                              lead_notice("sla_warning", row, rules.calendar, due),
                              _link(row.id), key=f"sla-warn:{row.id}:{due.isoformat()}", at=now))
            sent += 1
    late: dict[int, list[Any]] = defaultdict(list)
    for row in _open_leads(ctx, table.c.next_followup_due_at.is_not(None),
                           table.c.next_followup_due_at <= now):
        late[row.owner_id].append(row)
    today = _today(ctx, now)
    notify_gathered(ctx, [
        (Note(user, "followup_due", Message(GATHERED["followup_due"], count=len(rows)),
              "/lead/list/", key=f"cadence:{user}:{today}", at=now),
         [(lead_notice("followup_due", row, _rules(ctx, row.unit).calendar,
                       row.next_followup_due_at), _link(row.id)) for row in rows])
        for user, rows in late.items()])
    sent += len(late)
    notify_many(ctx, notes)
    commit(ctx)
    return sent


def stale_alerts(ctx: Context, now: dt.datetime) -> int:
    """One notice a day to each owner and supervisor with stale leads, a line per lead
    (number, customer, grade, last activity); returns how many leads are stale."""
    by_user: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    managers = Managers(ctx)
    stale = 0
    shortest = min(r.sla.stale_after_days for _, r in all_rules(ctx))
    for row in _open_leads(ctx, idle_clause(ctx, now, shortest)):
        rules = _rules(ctx, row.unit)
        idle = (rules.calendar.local_date(now) - rules.calendar.local_date(_activity(row))).days
        if idle < rules.sla.stale_after_days:
            continue
        stale += 1
        for user in {row.owner_id, *managers.of(row.owner_id, row.unit)}:
            by_user[user].append((row, idle))
    today = _today(ctx, now)
    notify_gathered(ctx, [
        (Note(user, "stale", Message(GATHERED["stale"], count=len(rows), days=min(
            _rules(ctx, r.unit).sla.stale_after_days for r, _ in rows)),
            "/lead/list/", key=f"stale:{user}:{today}", at=now),
         [(lead_notice("stale", row, _rules(ctx, row.unit).calendar, _activity(row),
                       days=idle), _link(row.id)) for row, idle in rows])
        for user, rows in by_user.items()])
    commit(ctx)
    return stale


def task_reminders(ctx: Context, now: dt.datetime) -> int:
    """Remind each assignee of tasks due within a day (one message per task) and of their
    overdue tasks (one message a day); mark passed tasks overdue. Returns how many tasks
    were reminded of or marked, made or closed by the task rules."""
    made, closed = sweep(ctx, now)
    task = ctx.models.cls("task").__table__
    rows = list(ctx.session.execute(sa.select(task).where(
        task.c.status.in_(("todo", "overdue")), task.c.due_at <= now + DAY)
        .order_by(task.c.due_at)))
    overdue: dict[int, list[Any]] = defaultdict(list)
    notes = []
    soon = [row for row in rows if row.due_at > now]
    leads = _leads_of(ctx, {row.lead_id for row in soon if row.lead_id})
    for row in rows:
        if row.due_at <= now:
            overdue[row.assignee_id].append(row)
    for row in soon:
        notes.append(Note(row.assignee_id, "task_due", task_notice(
            row, leads.get(row.lead_id), _rules(ctx, row.unit).calendar),
            f"/task/show/{row.id}", key=f"task-due:{row.id}:{row.due_at.isoformat()}",
            at=now))
    ctx.session.execute(sa.update(task).where(task.c.id.in_(
        [r.id for rs in overdue.values() for r in rs if r.status == "todo"]))
        .values(status="overdue"))
    today = _today(ctx, now)
    for user, tasks in overdue.items():
        notes.append(Note(user, "task_overdue", overdue_notice([t.title for t in tasks]),
                          "/tasks/mine/", key=f"task-overdue:{user}:{today}", at=now))
    notify_many(ctx, notes)
    commit(ctx)
    return len(rows) + made + closed


def daily_digest(ctx: Context, now: dt.datetime) -> int:
    """Each user's to-do of the day in one message; returns how many users got one."""
    task = ctx.models.cls("task").__table__
    end = now + DAY
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in ctx.session.execute(sa.select(task.c.assignee_id, task.c.due_at).where(
            task.c.status.in_(("todo", "overdue")), task.c.due_at <= end)):
        counts[row.assignee_id][1 if row.due_at <= now else 0] += 1
    lead = ctx.models.cls("lead").__table__
    for row in _open_leads(ctx, lead.c.first_contact_at.is_(None),
                           lead.c.first_touch_due_at.is_not(None),
                           lead.c.first_touch_due_at <= end):
        counts[row.owner_id][2] += 1
    today = _today(ctx, now)
    notify_many(ctx, [
        Note(user, "digest", Message(DIGEST, due=due, overdue=overdue, touch=touch),
             "/tasks/mine/", key=f"digest:{user}:{today}", at=now)
        for user, (due, overdue, touch) in counts.items()])
    commit(ctx)
    return len(counts)


def _leads_of(ctx: Context, ids: set[int]) -> dict[int, Any]:
    """The leads ``ids`` by id (what a task's notice says about its lead)."""
    table = ctx.models.cls("lead").__table__
    found: dict[int, Any] = {}
    chunk = sorted(ids)
    for start in range(0, len(chunk), 1000):
        found.update((row.id, row) for row in ctx.session.execute(sa.select(table).where(
            table.c.id.in_(chunk[start:start + 1000]))))
    return found


def _today(ctx: Context, now: dt.datetime) -> str:
    return _rules(ctx, None).calendar.local_date(now).isoformat()


def managers_of(ctx: Context, owner_id: int | None, unit: str | None) -> list[int]:
    """The supervisors of ``owner_id``'s team (else of the unit): who hears of breaches."""
    return Managers(ctx).of(owner_id, unit)


class Managers:
    """``managers_of`` for a whole job run: the organisation and each set of manager roles
    read once (two queries), not once per lead."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._teams: dict[int, str | None] | None = None
        self._people: dict[tuple[str, ...], list[tuple[int, str | None, str | None]]] = {}

    def of(self, owner_id: int | None, unit: str | None) -> list[int]:
        roles = tuple(_rules(self.ctx, unit).pools.manager_roles)
        team = self._team_of(owner_id)
        if team:
            found = [u for u, t, _ in self._managers(roles) if t == team]
        elif unit:
            found = [u for u, _, un in self._managers(roles) if un == unit]
        else:
            found = []
        return [u for u in found if u != owner_id]

    def _team_of(self, user_id: int | None) -> str | None:
        if not user_id:
            return None
        if self._teams is None:
            org = self.ctx.models.org
            self._teams = dict(self.ctx.session.execute(
                sa.select(org.c.user_id, org.c.team)).all())
        return self._teams.get(user_id)

    def _managers(self, roles: tuple[str, ...]) -> list[tuple[int, str | None, str | None]]:
        """(user id, team, unit) of the active users with one of ``roles``."""
        if roles not in self._people:
            org = self.ctx.models.org
            query = (sa.select(User.id, org.c.team, org.c.unit)
                     .join(assoc_user_role, assoc_user_role.c.user_id == User.id)
                     .join(Role, Role.id == assoc_user_role.c.role_id)
                     .join(org, org.c.user_id == User.id)
                     .where(Role.name.in_(roles), User.active.is_(True))
                     .distinct().order_by(User.id))
            self._people[roles] = list(self.ctx.session.execute(query).all())
        return self._people[roles]


#: The jobs in the order ``tick`` runs them (``metadata.lead_rules.JOB_NAMES``).
JOBS: dict[str, Callable[[Context, dt.datetime], int]] = {
    "reclaim": reclaim, "sla": check_sla, "stale": stale_alerts,
    "tasks": task_reminders, "digest": daily_digest,
}


def tick(ctx: Context, now: dt.datetime, only: tuple[str, ...] = ()) -> dict[str, int]:
    """Run the jobs (all, or ``only`` these names); returns each job's count.

    :raises KeyError: an unknown job name.
    """
    if ctx.registry.lead_rules is None:
        return {}
    names = only or tuple(JOBS)
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise KeyError(f"unknown job '{unknown[0]}' (known: {', '.join(JOBS)})")
    job = dataclasses.replace(ctx, channel="job")
    return {name: JOBS[name](job, now) for name in names}
