"""Follow-ups and tasks of one lead: how many, when, by which method, with what outcome.

Counts per lead outcome, method mixes per stage and late entries follow domain.md §3.8.
Rows are raw ``records`` input; the ``lead`` key is filled in once the lead has an id.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from leadloom.demo.distributions import Weighted, chance, count_around
from leadloom.demo.funnel import Journey, stage_at
from leadloom.demo.texts import followup_summary, next_action
from leadloom.demo.workdays import AS_OF, SHANGHAI_OFFSET, at, to_utc, work_time

METHODS = {
    "discovery": Weighted([("phone", 60), ("wechat", 25), ("visit", 5), ("email", 7),
                           ("proposal", 3)]),
    "solution": Weighted([("phone", 30), ("wechat", 25), ("visit", 20), ("online_demo", 15),
                          ("email", 5), ("proposal", 5)]),
    "negotiation": Weighted([("phone", 35), ("wechat", 30), ("visit", 25), ("email", 5),
                             ("proposal", 5)]),
    "after_sales": Weighted([("phone", 40), ("wechat", 40), ("visit", 10),
                             ("online_demo", 10)]),
}
_FEEDBACK_EARLY = Weighted([("no_answer", 25), ("interested", 25), ("evaluating", 20),
                            ("no_need", 15), ("wants_demo", 7), ("wants_quote", 5),
                            ("refused", 3)])
_FEEDBACK_LATER = Weighted([("no_answer", 5), ("interested", 25), ("evaluating", 30),
                            ("wants_quote", 20), ("wants_demo", 10), ("no_need", 5),
                            ("refused", 5)])
_FEEDBACK_AFTER = Weighted([("interested", 50), ("evaluating", 30), ("no_need", 15),
                            ("no_answer", 5)])
TOUCHES_IF_OPEN = {"A": 5.0, "B": 4.5, "C": 3.0}
TASK_RATE = 0.15
#: open leads whose rep stopped following up (§3.12: 8–12 % of open leads go 30+ days
#: without a follow-up); the others were touched within the last ``RECENT``
NEGLECTED = 0.12
RECENT = dt.timedelta(days=30)
TASK_DONE = Weighted([("done", 85), ("overdue", 10), ("cancelled", 5)])


@dataclass(frozen=True, slots=True)
class Touch:
    moment: dt.datetime
    stage: str


def _spread(rng: random.Random, start: dt.datetime, end: dt.datetime, count: int,
            stage_of: Journey) -> list[Touch]:
    span = max((end - start).total_seconds(), 3600.0)
    moments = sorted(work_time(rng, start + dt.timedelta(seconds=span * rng.random()))
                     for _ in range(count))
    return [Touch(m, stage_at(stage_of, m)) for m in moments if m <= stage_of.as_of]


def plan_touches(rng: random.Random, journey: Journey) -> list[Touch]:
    """When the rep talked to the customer, up to ``as_of``, oldest first."""
    first = journey.first_touch
    if first is None or first > journey.as_of:
        return []
    if journey.invalid_reason:
        return [Touch(first, "discovery")]
    end = journey.closed_at or first
    if journey.opportunity_at is None:
        count = count_around(rng, TOUCHES_IF_OPEN[journey.grade or "C"])
        return [Touch(first, "discovery"), *_spread(rng, first, end, count - 1, journey)]
    count = count_around(rng, 16.0 if journey.won else 10.0)
    touches = [Touch(first, "discovery"), *_spread(rng, first, end, count - 1, journey)]
    if journey.won:
        after = count_around(rng, 5.0)
        touches += _spread(rng, end, end + dt.timedelta(days=120), after, journey)
    return touches


def _feedback(rng: random.Random, journey: Journey, stage: str, last: bool) -> str:
    if journey.invalid_reason:
        return "no_answer" if journey.invalid_reason == "bad_contact" else "no_need"
    if not journey.reached:
        return "no_answer"
    if last and journey.status() in ("lost", "nurturing"):
        return "refused" if journey.lost_stage != "discovery" else "no_need"
    if stage == "discovery":
        return _FEEDBACK_EARLY.pick(rng)
    return _FEEDBACK_AFTER.pick(rng) if stage == "after_sales" else _FEEDBACK_LATER.pick(rng)


def _entered(rng: random.Random, moment: dt.datetime, as_of: dt.datetime) -> dt.datetime:
    """When the note was typed in: mostly the same day; 7 % after 24 h, 1 % after 72 h."""
    roll = rng.random()
    if roll < 0.01:
        hours = 72 + 96 * rng.random()
    elif roll < 0.08:
        hours = 24 + 48 * rng.random()
    else:
        hours = 0.05 + 4 * rng.random()
    return min(moment + dt.timedelta(hours=hours), as_of)


def followup_rows(rng: random.Random, journey: Journey, touches: list[Touch], owner: int,
                  budget_wan: float) -> list[dict[str, Any]]:
    """One ``followup`` input row per touch (``lead`` still to be filled in)."""
    rows = []
    visit_due = journey.visited
    for i, touch in enumerate(touches):
        method = METHODS[touch.stage].pick(rng)
        if visit_due and touch.stage in ("solution", "negotiation"):
            method, visit_due = "visit", False
        feedback = _feedback(rng, journey, touch.stage, i == len(touches) - 1)
        due = touch.moment.date() + dt.timedelta(days=rng.randrange(1, 11))
        wants_next = feedback not in ("refused",) and chance(rng, 0.75)
        entered = _entered(rng, touch.moment, journey.as_of)
        summary = followup_summary(rng, method, touch.stage, feedback, budget_wan, due)
        rows.append({
            "occurred_at": to_utc(touch.moment), "method": method, "summary": summary,
            "kind": followup_kind(method, summary), "customer_feedback": feedback,
            "next_action": next_action(rng, touch.stage) if wants_next else None,
            "next_action_due": due if wants_next else None,
            "owner": owner, "created_at": to_utc(entered), "updated_at": to_utc(entered),
        })
    return rows


def followup_kind(method: str, summary: str) -> str:
    """The kind a rep would give the follow-up its note describes (no draw: the same data
    as before for the same seed): an objection raised, a demo given, a quote asked for."""
    if "异议" in summary:
        return "objection"
    if method == "online_demo" or "演示" in summary:
        return "demo"
    return "quote" if "报价" in summary else "routine"


def task_rows(rng: random.Random, followups: list[dict[str, Any]], owner: int,
              company: str, still_open: bool,
              as_of: dt.datetime = AS_OF) -> list[dict[str, Any]]:
    """Tasks from some follow-ups' next actions, always from an open lead's latest one."""
    rows = []
    for i, followup in enumerate(followups):
        latest = still_open and i == len(followups) - 1
        if followup["next_action"] is None or not (latest or chance(rng, TASK_RATE)):
            continue
        due = at(followup["next_action_due"], 18.0)
        status = "todo" if due > as_of else TASK_DONE.pick(rng)
        if latest and due <= as_of:
            status = "overdue"
        rows.append({
            "title": f"{followup['next_action']}（{company}）", "assignee": owner,
            "due_at": to_utc(due), "status": status, "owner": owner,
            "created_at": followup["created_at"], "updated_at": followup["created_at"],
        })
    return rows


def kept_up(rng: random.Random, journey: Journey, followups: list[dict[str, Any]],
            tasks: list[dict[str, Any]], owner: int, budget_wan: float,
            company: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An open lead at ``as_of``: either neglected (its follow-ups of the last 30 days, and
    their tasks, never happened) or touched within them, following the cadence.

    ``rng`` is the history stream, not the journeys' one, so the rest of the data does not
    shift with it.
    """
    if journey.status() not in ("contacting", "converted") or not followups:
        return followups, tasks
    recent = to_utc(journey.as_of - RECENT)
    if chance(rng, NEGLECTED):
        kept = [f for f in followups if f["occurred_at"] < recent] or followups[:1]
        gone = {f["created_at"] for f in followups[len(kept):]}
        return kept, [t for t in tasks if t["created_at"] not in gone]
    if followups[-1]["occurred_at"] >= recent:
        return followups, tasks
    last = followups[-1]["occurred_at"] + SHANGHAI_OFFSET
    moment = max(last, journey.as_of - dt.timedelta(days=1 + 27 * rng.random()))
    moment = min(work_time(rng, moment), journey.as_of)
    [row] = followup_rows(rng, journey, [Touch(moment, stage_at(journey, moment))], owner,
                          budget_wan)
    return [*followups, row], [*tasks, *task_rows(rng, [row], owner, company, True,
                                                 journey.as_of)]
