"""Report schedules as people read them: "每周一 09:00" / "Mondays 09:00", not "0 9 * * 1".

Covers the cron forms the config uses (a fixed minute and hour; every day, some weekdays or
one day of the month); any other expression is shown as it is written.
"""

from __future__ import annotations

import re

from babel import Locale

from leadloom.metadata.messages import Message, listed
from leadloom.metadata.registry import Label
from leadloom.web.language import translated

#: minute hour day-of-month month day-of-week, with plain numbers, lists and ranges
CRON = re.compile(r"^(\d+) (\d+) (\*|\d+) \* (\*|[0-7](?:[-,][0-7])*)$")
WORKWEEK = ("1-5", "1,2,3,4,5")
ZH, EN = Locale.parse("zh"), Locale.parse("en")


def schedule_text(cron: str) -> str:
    """``cron`` in the request's language, or as written when it is not a simple form."""
    found = CRON.match(cron.strip())
    if found is None:
        return cron
    minute, hour, day, weekdays = found.groups()
    if int(minute) > 59 or int(hour) > 23:
        return cron
    time = f"{int(hour):02d}:{int(minute):02d}"
    if day != "*" and weekdays == "*":
        return translated(Message("monthly on day %(day)s, %(time)s", day=int(day), time=time))
    if day != "*":
        return cron
    if weekdays == "*":
        return translated(Message("every day %(time)s", time=time))
    if weekdays in WORKWEEK:
        return translated(Message("weekdays %(time)s", time=time))
    return translated(Message("%(days)s %(time)s", days=_days(weekdays), time=time))


def _days(field: str) -> Label:
    """"1,3" → 周一、周三 / Mondays, Wednesdays (cron counts Sunday as 0 and 7)."""
    numbers: list[int] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        numbers += range(int(low), int(high or low) + 1)
    babel_days = [(n - 1) % 7 for n in dict.fromkeys(n % 7 for n in numbers)]
    return listed([Label(ZH.days["format"]["abbreviated"][d], EN.days["format"]["wide"][d] + "s")
                   for d in babel_days], "、")
