"""Report declarations, ``config/reports/<name>.yaml``: shape, cross-checks and the spec.

A report names its Jinja template (under the top-level ``reports/templates/``), the data
sections it shows, its parameters (period, unit, team and a few limits), an optional
schedule (a cron expression in a time zone) and its recipients (roles and user names).
The report's name is the file stem: ``leadloom report weekly_funnel``.

The reading itself is the loader's (line numbers, shape errors); this module owns the
marshmallow schema, the cross-checks (``check_reports``) and the frozen dataclasses the
Registry holds (``build_reports``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from marshmallow import RAISE, Schema, ValidationError, validate, validates
from marshmallow import fields as mf

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import LOCALES, Label

#: The data sections a report may show; ``leadloom.reporting.sections`` implements each.
SECTIONS = (
    "funnel_stages", "stage_conversion", "period_activity", "stalled_leads",
    "conversion_summary", "by_source", "by_rep", "by_industry", "by_method", "lost_reasons",
    "stale_leads", "finance_summary", "finance_contracts", "sla_compliance",
)
PERIODS = ("week", "month", "day")
#: Where templates live, relative to the config folder.
TEMPLATES = Path("..") / "reports" / "templates"
TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.html$")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _one_of(choices: tuple[str, ...], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what} '{{input}}' (known: "
                                         f"{', '.join(choices)})")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _days(most: int) -> mf.Integer:
    return mf.Integer(validate=validate.Range(min=1, max=most,
                                              error="give a number from {min} to {max}"))


class ParametersSchema(_Strict):
    period = mf.String(load_default="week", validate=_one_of(PERIODS, "period"))
    unit = mf.String(load_default=None, allow_none=True)
    team = mf.String(load_default=None, allow_none=True)
    stall_days = _days(3650)
    stale_days = _days(3650)
    cohort_days = _days(3650)
    limit = _days(10_000)


class ScheduleSchema(_Strict):
    cron = mf.String(required=True)
    timezone = mf.String(load_default=None)

    @validates("cron")
    def _cron(self, value: str, **_: Any) -> None:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValidationError(f"'{value}' is not a cron expression like '0 9 * * 1'")

    @validates("timezone")
    def _timezone(self, value: str | None, **_: Any) -> None:
        if value is None:
            return
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone '{value}'") from None


class RecipientsSchema(_Strict):
    roles = mf.List(mf.String(), load_default=list)
    users = mf.List(mf.String(validate=validate.Regexp(
        USERNAME, error="'{input}' is not a user name")), load_default=list)


class ReportSchema(_Strict):
    report = mf.String()
    zh = mf.String(required=True, validate=validate.Length(min=1))
    en = mf.String(required=True, validate=validate.Length(min=1))
    template = mf.String(required=True, validate=validate.Regexp(
        TEMPLATE_NAME, error="'{input}' is not a template file name like 'weekly.html'"))
    sections = mf.List(mf.String(), required=True,
                       validate=validate.Length(min=1, error="name at least one section"))
    parameters = mf.Nested(ParametersSchema, load_default=lambda: ParametersSchema().load({}))
    schedule = mf.Nested(ScheduleSchema, load_default=None, allow_none=True)
    recipients = mf.Nested(RecipientsSchema, load_default=lambda: RecipientsSchema().load({}))
    locale = mf.String(load_default=None, validate=_one_of(LOCALES, "locale"))


#: every schema of a report file, for "did you mean" hints on unknown keys
SCHEMAS = (ReportSchema, ParametersSchema, ScheduleSchema, RecipientsSchema)


@dataclass(frozen=True, slots=True)
class ReportSchedule:
    """When a report runs: a five-field cron expression read in ``timezone``."""

    cron: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ReportRecipients:
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportParameters:
    """``period``: the last full ``week`` or ``month`` before the run, or the run's ``day``.

    ``unit``/``team`` narrow every copy further than the recipient's own scope.
    """

    period: str = "week"
    unit: str | None = None
    team: str | None = None
    stall_days: int = 14
    stale_days: int = 30
    cohort_days: int = 180
    limit: int = 200


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    label: Label
    template: str
    sections: tuple[str, ...]
    parameters: ReportParameters = ReportParameters()
    schedule: ReportSchedule | None = None
    recipients: ReportRecipients = ReportRecipients()
    #: ``None``: the app's default language
    locale: str | None = None


def find_report(reports: tuple[Report, ...], name: str) -> Report:
    """The report named ``name``.

    :raises KeyError: no such report, with the known names.
    """
    for report in reports:
        if report.name == name:
            return report
    known = ", ".join(r.name for r in reports) or "none"
    raise KeyError(f"no report '{name}' (known: {known})")


def templates_folder(origin: str) -> Path | None:
    """The templates folder of a config read from the folder ``origin``, if it is one."""
    folder = Path(origin)
    templates = (folder / TEMPLATES).resolve()
    return templates if folder.is_dir() and templates.is_dir() else None


def check_reports(parts: ConfigParts) -> list[ConfigError]:
    """Every cross-reference problem of the report files."""
    errors: list[ConfigError] = []
    templates = templates_folder(parts.files.origin)
    for name, part in parts.reports.items():
        errors += _check_report(parts, name, part, templates)
    return errors


def _check_report(parts: ConfigParts, name: str, part: Part,
                  templates: Path | None) -> Iterator[ConfigError]:
    data = part.data
    stem = Path(part.doc.file).stem
    if "report" in data and data["report"] != stem:
        yield part.error(("report",), f"'{data['report']}' must match the file name '{stem}'")
    if not CODE.match(name):
        yield part.error(("report",), f"'{name}' is not a code: use a-z, 0-9 and _")
    if templates is not None and not (templates / data["template"]).is_file():
        yield part.error(("template",), f"no template '{data['template']}' in reports/templates")
    seen: set[str] = set()
    for i, section in enumerate(data["sections"]):
        known = (*SECTIONS, *parts.plugins.sections)
        if section not in known:
            yield part.error(("sections", i), f"unknown section '{section}' (known: "
                                              f"{', '.join(known)})")
        elif section in seen:
            yield part.error(("sections", i), f"section '{section}' is listed twice")
        seen.add(section)
    yield from _check_place(parts, part, data["parameters"])
    yield from _check_recipients(parts, part, data)


def _check_place(parts: ConfigParts, part: Part, params: dict[str, Any]
                 ) -> Iterator[ConfigError]:
    units = {code: set(p.data["teams"]) for code, p in parts.units.items()}
    unit, team = params.get("unit"), params.get("team")
    if parts.broken_units:  # their own errors are reported; names wait for them
        return
    if unit is not None and unit not in units:
        yield part.error(("parameters", "unit"), f"unknown unit '{unit}' (known: "
                                                 f"{', '.join(sorted(units)) or 'none'})")
    teams = {t: u for u, ts in units.items() for t in ts}
    if team is not None and team not in teams:
        yield part.error(("parameters", "team"), f"unknown team '{team}' (known: "
                                                 f"{', '.join(sorted(teams)) or 'none'})")
    elif team is not None and unit in units and teams[team] != unit:
        yield part.error(("parameters", "team"), f"team '{team}' is in unit '{teams[team]}'")


def _check_recipients(parts: ConfigParts, part: Part, data: dict[str, Any]
                      ) -> Iterator[ConfigError]:
    roles = set(parts.roles.data["roles"]) if parts.roles else set()
    recipients = data["recipients"]
    for i, role in enumerate(recipients["roles"]):
        if parts.roles and role not in roles:
            yield part.error(("recipients", "roles", i), f"unknown role '{role}' (known: "
                                                         f"{', '.join(sorted(roles))})")
    if data["schedule"] is not None and not (recipients["roles"] or recipients["users"]):
        yield part.error(("schedule",), "a scheduled report needs recipients: roles or users")


def build_reports(parts: ConfigParts, default_timezone: str) -> tuple[Report, ...]:
    """The Report specs, sorted by name; ``parts`` must have passed ``check_reports``."""
    return tuple(_report(name, part.data, default_timezone)
                 for name, part in sorted(parts.reports.items()))


def _report(name: str, data: dict[str, Any], default_timezone: str) -> Report:
    params = {k: v for k, v in data["parameters"].items() if v is not None}
    schedule = data["schedule"]
    recipients = data["recipients"]
    return Report(
        name=name, label=Label(zh=data["zh"], en=data["en"]), template=data["template"],
        sections=tuple(data["sections"]), parameters=ReportParameters(**params),
        schedule=ReportSchedule(schedule["cron"], schedule["timezone"] or default_timezone)
        if schedule else None,
        recipients=ReportRecipients(tuple(recipients["roles"]), tuple(recipients["users"])),
        locale=data["locale"],
    )
