"""Render one report for one recipient and archive it: the function jobs and the CLI call.

``run_report`` resolves the recipient's actor, the period and the parameters, runs each
data section with the recipient's scope, renders the template, writes the PDF and its
archive row. A request with a ``run_key`` that was already archived returns that file.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Registry
from leadloom.metadata.reports import Report, find_report
from leadloom.model import Models, utcnow
from leadloom.reporting import archive, audience, render
from leadloom.reporting.archive import ArchivedReport
from leadloom.reporting.audience import Recipient
from leadloom.reporting.context import SectionContext, SectionResult
from leadloom.reporting.errors import ReportError, UnknownReport
from leadloom.reporting.periods import Period, parse_period, period_for
from leadloom.reporting.sections import SECTIONS

Progress = Callable[[int, str], None]
TRIGGERS = ("manual", "schedule", "cli")


@dataclass(frozen=True, slots=True)
class ReportEnv:
    """What rendering needs: models, a session factory and the two folders."""

    models: Models
    sessions: Callable[[], Session]
    reports_dir: Path
    templates_dir: Path

    @property
    def registry(self) -> Registry:
        return self.models.registry


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """One copy to make. Plain values only: it travels through Redis as a job argument.

    ``recipient_id`` None means the system actor (every record); ``period`` None means
    the period of a run at ``at`` (ISO time; default now); ``run_key`` makes retries
    idempotent (default: a fresh one).
    """

    report: str
    recipient_id: int | None = None
    period: str | None = None
    unit: str | None = None
    team: str | None = None
    locale: str | None = None
    trigger: str = "manual"
    run_key: str | None = None
    requested_by_id: int | None = None
    job_id: str | None = None
    at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportRequest:
        return cls(**data)


def spec_of(registry: Registry, name: str) -> Report:
    """:raises UnknownReport: no ``config/reports/<name>.yaml``."""
    try:
        return find_report(registry.reports, name)
    except KeyError:
        raise UnknownReport(Message("no report '%(name)s'", name=name)) from None


def run_report(env: ReportEnv, request: ReportRequest, progress: Progress | None = None
               ) -> ArchivedReport:
    """Render ``request`` and archive the PDF (once per ``run_key``).

    :raises UnknownReport: no such report.
    :raises ReportError: unknown recipient, unit or team, or a bad period.
    """
    report = spec_of(env.registry, request.report)
    step = progress or (lambda pct, stage: None)
    request = replace(request, run_key=request.run_key or f"{request.trigger}:{uuid.uuid4()}")
    with env.sessions() as session:
        done = archive.find_run(session, env.models, request.run_key or "")
        if done is not None:
            step(100, "done")
            return done
        recipient = (audience.recipient_for(session, env.models, request.recipient_id)
                     if request.recipient_id is not None else audience.system_recipient())
        ctx = _context(env, session, report, request, recipient)
        started = time.perf_counter()
        results = _sections(ctx, report, step)
        step(75, "render")
        html = render.render_html(env.templates_dir, report.template,
                                  _template_context(ctx, report, recipient, results),
                                  plugin_partials(env.registry, report))
        rendered = render.html_to_pdf(html, env.templates_dir)
        step(92, "archive")
        stored = archive.store(session, env.models, env.reports_dir, rendered.pdf, {
            "report": report.name, "title": report.label.get(ctx.locale),
            "period": ctx.period.label, "period_start": ctx.period.start,
            "period_end": ctx.period.last_day, "recipient_id": recipient.user_id,
            "recipient": recipient.actor.username, "scope": _scope(ctx, recipient),
            "locale": ctx.locale, "trigger": request.trigger, "run_key": request.run_key,
            "job_id": request.job_id, "requested_by_id": request.requested_by_id,
            "pages": rendered.pages, "render_ms": int((time.perf_counter() - started) * 1000),
        })
    step(100, "done")
    return stored


def _context(env: ReportEnv, session: Session, report: Report, request: ReportRequest,
             recipient: Recipient) -> SectionContext:
    registry = env.registry
    zone = ZoneInfo(report.schedule.timezone if report.schedule else registry.app.timezone)
    at = dt.datetime.fromisoformat(request.at) if request.at else dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    period = (parse_period(request.period) if request.period
              else period_for(report.parameters.period, at, zone))
    params = replace(report.parameters, unit=request.unit or report.parameters.unit,
                     team=request.team or report.parameters.team)
    check_place(registry, params.unit, params.team)
    locale = request.locale or report.locale or registry.app.default_locale
    if locale not in ("zh", "en"):
        raise ReportError(Message("unknown language '%(locale)s' (known: zh, en)",
                                  locale=locale))
    as_of = min(_utc(period, zone), at.astimezone(dt.UTC).replace(tzinfo=None))
    return SectionContext(session, env.models, recipient.actor, period, params, locale, zone,
                          as_of)


def _utc(period: Period, zone: ZoneInfo) -> dt.datetime:
    return period.utc_bounds(zone)[1]


def check_place(registry: Registry, unit: str | None, team: str | None) -> None:
    """:raises ReportError: ``unit`` or ``team`` is not in the config."""
    if unit is not None and unit not in {u.code for u in registry.units}:
        refusal = Message("unknown unit '%(unit)s'", unit=unit)
        raise ReportError(refusal, {"unit": [refusal]})
    if team is not None and registry.team_unit(team) is None:
        refusal = Message("unknown team '%(team)s'", team=team)
        raise ReportError(refusal, {"team": [refusal]})


def _sections(ctx: SectionContext, report: Report, step: Progress) -> list[SectionResult]:
    results = []
    for i, name in enumerate(report.sections):
        step(5 + int(65 * i / len(report.sections)), name)
        built = SECTIONS.get(name)
        results.append(built(ctx) if built else ctx.registry.plugins.sections[name].build(ctx))
    return results


def plugin_partials(registry: Registry, report: Report) -> tuple[tuple[str, Path], ...]:
    """The partial of each plugin section ``report`` lists: template name → its file in the
    plugin's folder."""
    plugins = registry.plugins
    return tuple((f"sections/{name}.html", plugins.section_folders[name]
                  / plugins.sections[name].template)
                 for name in report.sections if name in plugins.sections)


def _scope(ctx: SectionContext, recipient: Recipient) -> str:
    return audience.scope_label(ctx.registry, recipient, unit=ctx.params.unit,
                                team=ctx.params.team, locale=ctx.locale)


def _template_context(ctx: SectionContext, report: Report, recipient: Recipient,
                      results: list[SectionResult]) -> dict[str, Any]:
    generated = utcnow().replace(tzinfo=dt.UTC).astimezone(ctx.zone)
    return {
        "report": report, "title": report.label.get(ctx.locale),
        "app_title": ctx.registry.app.title.get(ctx.locale), "locale": ctx.locale,
        "period": ctx.period, "period_title": ctx.period.title(ctx.locale),
        "scope": _scope(ctx, recipient), "recipient": recipient.name,
        "generated_at": generated.strftime("%Y-%m-%d %H:%M"), "params": ctx.params,
        "sections": results, "t": ctx.t,
    }
