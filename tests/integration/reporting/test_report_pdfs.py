"""The four shipped reports rendered from realistic demo data, checked as PDFs: a CJK font
is embedded, the page count is what the PDF says on every page, page 1 has ink, and each
copy holds only what its recipient may see (a rep's copy has no other rep's leads)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import sessionmaker

from leadloom.demo import generate_demo
from leadloom.jobs import Runtime, runtime_for, tasks, use_runtime
from leadloom.reporting import ReportRequest, archive, delivery, run_report
from leadloom.reporting.archive import ArchivedReport
from leadloom.reporting.audience import recipient_named
from leadloom.reporting.context import SectionContext
from leadloom.reporting.periods import parse_period
from leadloom.reporting.sections import SECTIONS
from leadloom.reporting.service import spec_of
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state
from tests.pdf_checks import embedded_fonts, ink, page_count, page_text, require_poppler

CONFIG = Path(__file__).resolve().parents[3] / "config"
REPS = ("rep1", "rep2", "rep3", "rep4")
#: the demo data ends on 2025-12-31: these periods have data in every section
PERIODS = {"weekly_funnel": "2025-W52", "monthly_review": "2025-11",
           "stale_leads": "2025-12-31", "finance_monthly": "2025-11"}


@pytest.fixture(scope="module")
def demo(database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[Flask, Runtime]:
    require_poppler()
    settings = Settings(config_dir=CONFIG, database_url=database_factory(),
                        secret_key="x" * 48, reports_dir=tmp_path_factory.mktemp("reports"))
    app = create_app(settings, testing=True)
    with app.app_context():
        generate_demo(app, leads=400, seed=11, password="pw123456")
        st = state()
        runtime = runtime_for(settings, st.models, sessions=sessionmaker(
            st.db.engine, expire_on_commit=False))
    return app, runtime


def render(runtime: Runtime, report: str, username: str | None, **extra: str) -> ArchivedReport:
    uid = None
    if username:
        with runtime.env.sessions() as session:
            uid = recipient_named(session, runtime.models, username).user_id
    request = ReportRequest(report, uid, period=extra.pop("period", PERIODS[report]),
                            trigger="cli", **extra)
    return run_report(runtime.env, request)


def lead_numbers(runtime: Runtime, owner: str) -> set[str]:
    models = runtime.models
    lead = models.cls("lead")
    with runtime.env.sessions() as session:
        uid = recipient_named(session, models, owner).user_id
        return set(session.scalars(sa.select(lead.lead_no).where(lead.owner_id == uid)))


@pytest.mark.parametrize(("report", "user"), [
    ("weekly_funnel", "sup1"), ("monthly_review", "admin"), ("stale_leads", "rep1"),
    ("finance_monthly", "fin1")])
def test_pdf_has_cjk_font_pages_with_header_and_footer_and_ink(demo, report, user):
    _, runtime = demo
    archived = render(runtime, report, user)
    pdf = archived.file(runtime.env.reports_dir)
    fonts = embedded_fonts(pdf)
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts
    pages = page_count(pdf)
    assert pages == archived.pages >= 1
    title = spec_of(runtime.env.registry, report).label.zh
    for number in range(1, pages + 1):
        text = page_text(pdf, number)
        assert re.search(rf"第\s*{number}\s*/\s*{pages}\s*页", text), (number, text[-300:])
        assert title in text and archived.period[:4] in text
    assert ink(pdf) > 0.02
    assert archived.size == pdf.stat().st_size and len(archived.checksum) == 64


@pytest.mark.parametrize("report", ["stale_leads", "weekly_funnel", "monthly_review"])
def test_a_reps_copy_has_none_of_the_other_reps_leads(demo, report):
    _, runtime = demo
    mine = lead_numbers(runtime, "rep1")
    theirs = set().union(*(lead_numbers(runtime, r) for r in REPS if r != "rep1"))
    assert mine and theirs and not mine & theirs
    pdf = render(runtime, report, "rep1").file(runtime.env.reports_dir)
    words = set(re.findall(r"[A-Z]+-\d{8}-\d{3}", page_text(pdf)))
    assert not words & theirs, sorted(words & theirs)[:5]
    if report != "monthly_review":  # the monthly review lists no single leads
        assert words & mine, "the rep's own leads should be listed"
        assert words <= mine


def test_every_section_of_a_reps_copy_reads_only_the_reps_rows(demo):
    app, runtime = demo
    theirs = set().union(*(lead_numbers(runtime, r) for r in REPS if r != "rep1"))
    with app.app_context(), runtime.env.sessions() as session:
        recipient = recipient_named(session, runtime.models, "rep1")
        spec = spec_of(runtime.env.registry, "weekly_funnel")
        period = parse_period("2025-W50")
        zone = ZoneInfo("Asia/Shanghai")
        ctx = SectionContext(session, runtime.models, recipient.actor, period, spec.parameters,
                             "zh", zone, period.utc_bounds(zone)[1])
        text = repr([SECTIONS[name](ctx).data for name in SECTIONS])
    assert not set(re.findall(r"[A-Z]+-\d{8}-\d{3}", text)) & theirs


def test_the_monthly_review_gives_first_touch_compliance_per_rep(demo):
    """The demo's SLA records: the admin's copy counts every rep, a rep's only their own,
    with the same figures for them; the PDF prints the on-time share."""
    app, runtime = demo
    spec = spec_of(runtime.env.registry, "monthly_review")
    period = parse_period(PERIODS["monthly_review"])
    zone = ZoneInfo("Asia/Shanghai")
    found = {}
    with app.app_context(), runtime.env.sessions() as session:
        for user in ("admin", "rep1"):
            actor = recipient_named(session, runtime.models, user).actor
            ctx = SectionContext(session, runtime.models, actor, period, spec.parameters,
                                 "zh", zone, period.utc_bounds(zone)[1])
            found[user] = SECTIONS["sla_compliance"](ctx).data
    every, mine = found["admin"], found["rep1"]
    assert every["due"] > mine["due"] > 0 and len(every["rows"]) >= 4
    assert len(mine["rows"]) == 1
    assert mine["rows"][0] in every["rows"]
    assert 0 < every["share"] < 1 and every["late"] + every["missed"] > 0
    text = page_text(render(runtime, "monthly_review", "admin").file(runtime.env.reports_dir))
    assert "首次触达时效达标率" in text and f"{every['share']:.1%}" in text


def test_finance_sees_contracts_and_a_rep_sees_only_their_own(demo):
    _, runtime = demo
    contract = runtime.models.cls("contract")
    with runtime.env.sessions() as session:
        rep1 = recipient_named(session, runtime.models, "rep1").user_id
        signed = session.execute(sa.select(contract.contract_no, contract.sign_date,
                                           contract.owner_id)).all()
    months: dict[str, dict[str, set[int]]] = {}
    for number, day, owner in signed:
        months.setdefault(f"{day:%Y-%m}", {}).setdefault(number, set()).add(owner)
    month = max(months, key=lambda m: (
        {o for owners in months[m].values() for o in owners} > {rep1}, len(months[m])))
    own = {n for n, owners in months[month].items() if rep1 in owners}
    assert own and len(months[month]) > len(own), "pick a month with several owners"
    finance = page_text(render(runtime, "finance_monthly", "fin1", period=month)
                        .file(runtime.env.reports_dir))
    rep = page_text(render(runtime, "finance_monthly", "rep1", period=month)
                    .file(runtime.env.reports_dir))
    assert set(re.findall(r"HT\d{10}", finance)) == set(months[month])
    assert set(re.findall(r"HT\d{10}", rep)) == own


def test_english_copy_and_an_empty_period_is_one_page(demo):
    _, runtime = demo
    english = render(runtime, "monthly_review", "admin", locale="en")
    text = page_text(english.file(runtime.env.reports_dir), 1)
    assert "Monthly conversion review" in text and "November 2025" in text
    assert re.search(r"Page\s*1\s*/", text)
    empty = render(runtime, "finance_monthly", "fin1", period="2020-01")
    assert empty.pages == page_count(empty.file(runtime.env.reports_dir)) == 1


def test_the_same_run_key_archives_one_pdf(demo):
    _, runtime = demo
    first = render(runtime, "stale_leads", "rep2", run_key="test:once")
    again = render(runtime, "stale_leads", "rep2", run_key="test:once")
    assert again.id == first.id
    folder = first.file(runtime.env.reports_dir).parent
    assert len([p for p in folder.iterdir() if "rep2" in p.name and p.suffix == ".pdf"]) == 1


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``; records what would have been sent."""

    sent: list[tuple[str, object]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.sent.append(("connect", (host, port)))

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context: object) -> None:
        self.sent.append(("starttls", None))

    def login(self, user: str, password: str) -> None:
        self.sent.append(("login", (user, password)))

    def send_message(self, message: object) -> None:
        self.sent.append(("send", message))


def test_a_scheduled_copy_is_emailed_once_and_the_delivery_logged(demo, monkeypatch):
    _, runtime = demo
    FakeSMTP.sent = []
    monkeypatch.setattr(delivery.smtplib, "SMTP", FakeSMTP)
    with_mail = replace(runtime, settings=replace(
        runtime.settings, smtp_url="smtp://reports:s%40cret@mail.example.com:587"))
    use_runtime(with_mail)
    with runtime.env.sessions() as session:
        uid = recipient_named(session, runtime.models, "sup1").user_id
    request = ReportRequest("weekly_funnel", uid, period="2025-W49", trigger="schedule",
                            run_key="test:mail")
    first = tasks.render_report(request.as_dict())
    again = tasks.render_report(request.as_dict())  # a retried job: no second e-mail
    assert first["delivery"] == again["delivery"] == "sent"
    assert first["file_id"] == again["file_id"]
    kinds = [kind for kind, _ in FakeSMTP.sent]
    assert kinds == ["connect", "starttls", "login", "send"]
    assert dict(FakeSMTP.sent)["login"] == ("reports", "s@cret")
    message = dict(FakeSMTP.sent)["send"]
    assert message["To"] == "sup1@leadloom.local" and "周漏斗复盘" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    with runtime.env.sessions() as session:
        logged = archive.deliveries(session, runtime.models, first["file_id"])
    assert [(d["email"], d["status"]) for d in logged] == [("sup1@leadloom.local", "sent")]
