"""The inbox page groups unread messages by local day (Asia/Shanghai) and kind, with a
count per group; marking one group read leaves the others unread."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from leadloom.access import Actor
from leadloom.model.tables import utcnow
from leadloom.records import Context
from leadloom.records.notify import inbox, mark_read, notify
from tests.e2e.conftest import login

USER = "rep3"
GROUP = re.compile(r'data-kind="(\w+)" data-day="([\d-]+)"\s+data-count="(\d+)"')


def _local_midnight() -> dt.datetime:
    """Today's midnight in Asia/Shanghai, as naive UTC (yesterday evening in UTC)."""
    zone = ZoneInfo("Asia/Shanghai")
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(zone).date()
    midnight = dt.datetime.combine(today, dt.time(), zone)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def _seed(app) -> dict[str, int]:
    """USER's inbox emptied, then: 3 reclaimed just after local midnight, 1 reclaimed and
    2 stale just before it. Answers USER's id."""
    from leadloom.web.state import state

    midnight = _local_midnight()
    after, before = midnight + dt.timedelta(seconds=30), midnight - dt.timedelta(minutes=1)
    with app.app_context():
        st = state()
        user = st.appbuilder.sm.find_user(username=USER).id
        mark_read(st.db.session, st.models, user)
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        for n, (kind, at) in enumerate([("reclaimed", after)] * 3 + [("reclaimed", before)]
                                       + [("stale", before)] * 2):
            notify(ctx, user, kind, f"分组测试 {kind} {n}", f"/lead/show/{n + 1}", at=at)
        st.db.session.commit()
    return {"user": user}


def _groups(html: str) -> dict[tuple[str, str], int]:
    return {(kind, day): int(count) for kind, day, count in GROUP.findall(html)}


def test_unread_messages_are_grouped_by_local_day_and_kind(app):
    _seed(app)
    midnight = _local_midnight()
    today = (midnight + dt.timedelta(hours=8)).date().isoformat()
    yesterday = (midnight + dt.timedelta(hours=7)).date().isoformat()
    html = login(app, USER).get("/notifications/").data.decode()
    assert _groups(html) == {("reclaimed", today): 3, ("reclaimed", yesterday): 1,
                             ("stale", yesterday): 2}
    assert "今天" in html and "昨天" in html and "已回收" in html
    assert ">reclaimed<" not in html  # labels, never raw codes
    assert 'href="/notifications/open/' in html


def test_marking_a_group_read_leaves_the_other_groups_unread(app):
    from leadloom.web.state import state

    user = _seed(app)["user"]
    client = login(app, USER)
    html = client.get("/notifications/").data.decode()
    form = re.search(r'data-kind="stale".*?</form>', html, re.S).group(0)
    ids = re.findall(r'name="id" value="(\d+)"', form)
    assert len(ids) == 2
    assert client.post("/notifications/read", data={"id": ids}).status_code == 302
    after = _groups(client.get("/notifications/").data.decode())
    assert [kind for kind, _ in after] == ["reclaimed", "reclaimed"]
    assert 'id="ll-unread">4<' in client.get("/lead/list/").data.decode()
    with app.app_context():
        st = state()
        unread = inbox(st.db.session, st.models, user, unread_only=True)
        assert sorted(m.kind for m in unread) == ["reclaimed"] * 4
