"""Lead notices say number, customer, grade and local deadline in the reader's language;
a periodic run gathers a person's messages of a rule under one notice and sends nothing
twice; quiet hours (21:00–08:00 here, breaches of A leads exempt) hold the rest until
08:00 without anything running at 08:00."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from leadloom.metadata.catalog import in_language, loaded
from leadloom.records import bulk_create
from leadloom.records.leads import periodic
from leadloom.records.notify import inbox, lines, unread_count

A = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
     "purchase_timeline": "within_1m"}
B = {"need_clarity": "partial"}


def edit_config(folder: Path) -> None:
    leads = folder / "leads.yaml"
    leads.write_text(leads.read_text(encoding="utf-8") + '\nquiet_hours: {from: "21:00", '
                     'to: "08:00", exempt: [sla_breach_a]}\n', encoding="utf-8")


def notices(world, username, now):
    return inbox(world.session, world.models, world.ids[username], limit=500, now=now)


def test_forty_leads_one_notice_per_person_and_rule_sent_once(world):
    start = world.freeze("2024-06-03 09:00")  # Monday, a working day
    ids = bulk_create(world.ctx("rep1"), "lead", [world.lead(**B) for _ in range(40)])
    system = world.ctx(None, "job")
    warn = start + dt.timedelta(days=6, hours=1)  # B: 7 days, warned a day before (10:00)
    periodic.check_sla(system, warn)
    found = [n for n in notices(world, "rep1", warn) if n.kind == "sla_warning"]
    assert len(found) == 1 and found[0].title == "40 条线索首次触达即将超时"
    parts = lines(world.session, world.models, world.ids["rep1"], [found[0].id])[found[0].id]
    assert sorted(int(p.link.rsplit("/", 1)[1]) for p in parts) == sorted(ids)
    first = loaded(parts[0].body)
    assert set(first.params) >= {"no", "customer", "grade", "due"}
    assert in_language(first, "en").startswith(f"Lead {first.params['no']} (")
    assert "grade B): first touch due by" in in_language(first, "en")
    assert "B级）需在" in in_language(first, "zh")
    before = unread_count(world.session, world.models, world.ids["rep1"], warn)
    periodic.check_sla(system, warn + dt.timedelta(minutes=15))
    assert unread_count(world.session, world.models, world.ids["rep1"], warn) == before


def test_quiet_hours_hold_until_eight_and_exempt_a_breaches(world):
    start = world.freeze("2024-07-01 09:00")  # Monday; A: 48 h, B: 7 days
    a = bulk_create(world.ctx("rep2"), "lead", [world.lead(**A)])[0]
    system = world.ctx(None, "job")
    night = start + dt.timedelta(hours=49, minutes=30) + dt.timedelta(hours=12)  # 22:30
    periodic.check_sla(system, night)
    rep2 = [n for n in notices(world, "rep2", night) if str(a) in (n.link or "")]
    assert [n.kind for n in rep2] == ["sla_breach"]  # exempt: out at once
    b = bulk_create(world.ctx("rep2"), "lead", [world.lead(**B)])[0]  # due 07-08 09:00
    held = night + dt.timedelta(days=4)  # 07-07 22:30: within the day before, quiet
    periodic.check_sla(system, held)

    def warned(now):
        return [n for n in notices(world, "rep2", now)
                if n.link == f"/lead/show/{b}" and n.kind == "sla_warning"]

    eight = dt.datetime(2024, 7, 8, 0, 0)  # 08:00 Asia/Shanghai
    assert not warned(held) and not warned(eight - dt.timedelta(seconds=1))
    late = eight + dt.timedelta(hours=3)  # nothing ran at 08:00: it is there anyway
    assert [n.shown_at for n in warned(late)] == [eight]
    periodic.check_sla(system, late)  # the next run sends it no second time
    assert len(warned(late)) == 1
