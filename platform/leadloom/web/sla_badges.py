"""The SLA badges of a lead's page: where its first touch stands (待首次联系 · 截止 …,
已超时 3 小时, 按时完成, 超时后完成) and, once touched, its next follow-up by the cadence.

Read from the lead's SLA records (``records.leads.sla_records``), the same rows the list
filter and the compliance figures count, so the page never says something they do not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadloom.metadata.messages import Message
from leadloom.records.leads import clock
from leadloom.records.leads.sla_records import latest_slas
from leadloom.web.labels import local_time
from leadloom.web.language import translated
from leadloom.web.state import state

#: (state → message, tone) per SLA kind; ``at`` the local deadline, ``span`` how late
WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "first_touch": {
        "pending": ("First contact due · by %(at)s", "info"),
        "breached": ("First contact overdue by %(span)s · was due %(at)s", "danger"),
        "met": ("First contact made on time", "success"),
        "breached_then_met": ("First contact made late (%(span)s late)", "warning"),
    },
    "cadence": {
        "pending": ("Follow-up due · by %(at)s", "info"),
        "breached": ("Follow-up overdue by %(span)s · was due %(at)s", "danger"),
    },
}


def sla_badges(record: Any, span: Any) -> list[dict[str, str]]:
    """The badges of lead ``record``: its latest first-touch SLA, and its latest cadence
    SLA while open. ``span`` words a duration (``2 天 3 小时``)."""
    st = state()
    found = latest_slas(st.db.session, st.models, record.id)
    now = clock.now()
    badges = []
    for kind, wording in WORDING.items():
        row = found.get(kind)
        if row is None or row.state not in wording:
            continue
        text, tone = wording[row.state]
        late = (row.met_at or now) - row.due_at
        due = local_time(row.due_at)
        shown = "%m-%d %H:%M" if due.year == local_time(now).year else "%Y-%m-%d %H:%M"
        badges.append({"text": translated(Message(
            text, at=due.strftime(shown),
            span=span(max(late, dt.timedelta(0))))), "tone": tone, "state": row.state,
            "kind": kind})
    return badges
