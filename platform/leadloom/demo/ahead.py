"""Planning the next chunk in a child process while the parent writes the current one.

The simulation is pure Python and the writing mostly waits on the database, so on two
cores the plan costs hardly any wall time. The child runs the one seeded stream
(``plan_chunks``) from start to end, so the rows are exactly those planned in-process.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
from collections.abc import Callable, Iterator
from multiprocessing.queues import Queue
from typing import Any

from leadloom.demo.planner import LeadBundle, plan_chunks

#: chunks planned ahead of the writer (each ~5,000 leads, a few MB pickled)
DEPTH = 2
#: how often the parent checks that a silent child is still alive (seconds)
POLL = 5.0


#: what the child does to each planned chunk before handing it over
Finish = Callable[[list[LeadBundle]], None]


def _as_planned(chunk: list[LeadBundle]) -> None:
    """The default ``finish``: nothing to add."""


class PlannerDied(RuntimeError):
    """The planning process ended without handing over every chunk."""


def planned_ahead(seed: int, leads: int, user_ids: dict[str, int],
                  source_ids: dict[str, int], size: int, as_of: dt.datetime,
                  finish: Finish = _as_planned) -> Iterator[list[LeadBundle]]:
    """The chunks of ``plan_chunks(...)``, planned by a forked child ``DEPTH`` ahead;
    ``finish`` completes each chunk there too (forked: it need not pickle).

    :raises PlannerDied: the child was killed; an error in the planner is re-raised as is.
    """
    context = multiprocessing.get_context("fork")
    handover: Queue[Any] = context.Queue(maxsize=DEPTH)
    child = context.Process(target=_plan_into, daemon=True, name="leadloom-demo-planner",
                            args=(handover, seed, leads, user_ids, source_ids, size, as_of,
                                  finish))
    child.start()
    try:
        while True:
            item = _next(handover, child)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        handover.close()


def _next(handover: Queue[Any], child: Any) -> Any:
    while True:
        try:
            return handover.get(timeout=POLL)
        except queue.Empty:
            if not child.is_alive():
                raise PlannerDied(f"the demo planner exited ({child.exitcode})") from None


def _plan_into(handover: Queue[Any], seed: int, leads: int, user_ids: dict[str, int],
               source_ids: dict[str, int], size: int, as_of: dt.datetime,
               finish: Finish) -> None:
    """The child: every chunk in order, then None (or the error that stopped it)."""
    try:
        for chunk in plan_chunks(seed, leads, user_ids, source_ids, size, as_of):
            finish(chunk)
            handover.put(chunk)
    except Exception as error:  # handed to the parent, which raises it
        handover.put(error)
        return
    handover.put(None)
