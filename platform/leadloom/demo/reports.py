"""Sample reports for ``leadloom demo``: every scheduled report, for each of its
recipients, as its schedule would have made them just after the demo data ends.

The demo data ends on ``workdays.AS_OF``; a schedule running "now" would report on an
empty week. These copies are queued once (their ``run_key`` makes a second demo start
find them archived) and render in the background while the app starts.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from leadloom.demo.workdays import AS_OF
from leadloom.reporting import ReportRequest
from leadloom.reporting.audience import recipients_of
from leadloom.web.reports import jobs
from leadloom.web.state import state

#: the moment the sample copies are made "at": the first morning after the data ends
SAMPLE_AT = dt.datetime.combine(AS_OF.date() + dt.timedelta(days=1), dt.time(9))


def queue_sample_reports(app: Flask) -> str:
    """Queue the sample copies; returns a line for the console."""
    with app.app_context():
        st = state()
        queue = jobs()
        zone = ZoneInfo(st.registry.app.timezone)
        at = SAMPLE_AT.replace(tzinfo=zone).isoformat()
        queued = 0
        for report in st.registry.reports:
            if report.schedule is None:
                continue
            for recipient in recipients_of(st.db.session, st.models, report):
                queue.enqueue_report(ReportRequest(
                    report.name, recipient.user_id, trigger="schedule", at=at,
                    run_key=f"demo:{report.name}:{recipient.user_id}"), requested_by=None)
                queued += 1
    return (f"sample reports: {queued} copies queued for the demo data's last period "
            f"(see Reports → 报表中心)")
