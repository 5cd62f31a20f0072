"""The stale and follow-up-due rules send each person one notice a day with a line per lead
(number, customer, grade, local time) read in the reader's language; a second run that day
sends nothing; the stale run's statements do not grow with its leads."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from leadloom.metadata.catalog import in_language, loaded
from leadloom.records import bulk_create, create
from leadloom.records.leads import periodic
from leadloom.records.notify import inbox, lines

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
B = {"need_clarity": "partial"}


def edit_config(folder):
    """A world of its own: the notices count every lead of the database."""


def notices_of(world, username, kind, now):
    return [n for n in inbox(world.session, world.models, world.ids[username], limit=500,
                             now=now) if n.kind == kind]


def lines_of(world, username, notice):
    return lines(world.session, world.models, world.ids[username], [notice.id])[notice.id]


def test_stale_one_notice_a_line_per_lead_in_both_languages_sent_once(world):
    start = world.freeze("2025-05-06 09:00")
    ids = bulk_create(world.ctx("rep2"), "lead", [world.lead(**B) for _ in range(3)])
    first = world.row("lead", ids[0])
    system = world.ctx(None, "job")
    later = start + dt.timedelta(days=31)
    assert periodic.stale_alerts(system, later) == 3
    for user in ("rep2", "sup1"):
        [notice] = notices_of(world, user, "stale", later)
        assert notice.title == "3 条线索超过 30 天未更新"
        assert in_language(loaded(notice.body), "en") == "3 leads without activity for 30 days"
        parts = lines_of(world, user, notice)
        assert [p.link for p in parts] == [f"/lead/show/{pk}" for pk in ids]
        line = loaded(parts[0].body)
        assert in_language(line, "zh") == (
            f"线索 {first.lead_no}（{first.customer_name}，B级）已 31 天未更新"
            "（最后活动 2025-05-06 09:00）")
        assert in_language(line, "en") == (
            f"Lead {first.lead_no} ({first.customer_name}, grade B): no activity for 31 days "
            "(last 2025-05-06 09:00)")
    table = world.models.metadata.tables["ll_notification"]
    rows = world.session.scalar(sa.select(sa.func.count()).select_from(table))
    assert periodic.stale_alerts(system, later + dt.timedelta(hours=2)) == 3
    assert world.session.scalar(sa.select(sa.func.count()).select_from(table)) == rows


def test_follow_up_due_names_each_lead_and_its_local_deadline(world):
    world.freeze("2024-03-15 10:00")
    lead = create(world.ctx("rep1"), "lead", world.lead(**A))
    world.freeze("2024-03-15 16:00")  # a Friday; A: the next follow-up by Monday 18:00
    create(world.ctx("rep1"), "followup", {
        "lead": lead.id, "occurred_at": world.freeze("2024-03-15 16:00"), "method": "phone",
        "summary": "电话沟通需求,约定演示时间", "customer_feedback": "interested"})
    system = world.ctx(None, "job")
    late = world.freeze("2024-03-19 09:00")
    periodic.check_sla(system, late)
    [notice] = notices_of(world, "rep1", "followup_due", late)
    assert notice.title == "1 条线索已到跟进时间"
    [line] = lines_of(world, "rep1", notice)
    row = world.row("lead", lead.id)
    assert in_language(loaded(line.body), "zh") == (
        f"线索 {row.lead_no}（{row.customer_name}，A级）需跟进（截止 2024-03-18 18:00）")
    assert in_language(loaded(line.body), "en") == (
        f"Lead {row.lead_no} ({row.customer_name}, grade A): follow-up due 2024-03-18 18:00")
    periodic.check_sla(system, late + dt.timedelta(hours=1))
    assert len(notices_of(world, "rep1", "followup_due", late + dt.timedelta(hours=1))) == 1


def test_the_stale_run_takes_as_many_statements_for_300_leads_as_for_10(world):
    def statements(n: int, day: str) -> int:
        start = world.freeze(f"{day} 10:00")
        bulk_create(world.ctx("rep2"), "lead", [world.lead(**B) for _ in range(n)])
        later = start + dt.timedelta(days=31)
        with world.counted() as seen:
            stale = periodic.stale_alerts(world.ctx(None, "job"), later)
        assert stale >= n
        print(f"stale run: {n} new stale leads ({stale} in all), {len(seen)} statements")
        return len(seen)

    few = statements(10, "2022-03-01")
    many = statements(300, "2022-06-01")  # the first run's leads are still stale
    assert many <= few
