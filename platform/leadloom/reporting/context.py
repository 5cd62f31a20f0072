"""What a data section works with: one recipient's actor, the period, and scoped queries.

Every row a section reads comes through ``rows_of(entity)``: the recipient's
``access.scope_clause`` plus the report's unit/team narrowing. Sections never build
their own scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from markupsafe import Markup
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.metadata.registry import Field, Label, Registry
from leadloom.metadata.reports import ReportParameters
from leadloom.model import Models
from leadloom.reporting.audience import display_name
from leadloom.reporting.periods import Period, naive_utc


@dataclass(slots=True)
class SectionResult:
    """One section of a report: its data for the template, SVG charts and an optional note
    (why it is empty: no access, or the config lacks what it needs)."""

    name: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, Markup] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SectionContext:
    session: Session
    models: Models
    actor: Actor
    period: Period
    params: ReportParameters
    locale: str
    zone: ZoneInfo
    #: naive UTC: the moment the snapshot sections (stalled, stale) look from
    as_of: dt.datetime

    @property
    def registry(self) -> Registry:
        return self.models.registry

    def t(self, zh: str, en: str) -> str:
        return en if self.locale == "en" else zh

    def label(self, label: Label) -> str:
        return label.get(self.locale)

    # ---- what the recipient may see ------------------------------------------------
    def may_list(self, entity: str) -> bool:
        return self.has(entity) and rights(self.registry, self.actor, entity).allows("list")

    def has(self, entity: str, *fields: str) -> bool:
        """``entity`` is declared with every one of ``fields``."""
        found = next((e for e in self.registry.entities if e.code == entity), None)
        return found is not None and all(found.has_field(f) for f in fields)

    def visible(self, entity: str, field_code: str) -> bool:
        """Declared, and not hidden from the recipient."""
        return self.has(entity, field_code) and field_code not in rights(
            self.registry, self.actor, entity).hidden

    def rows_of(self, entity: str) -> sa.ColumnElement[bool]:
        """The recipient's scope on ``entity``, narrowed to the report's unit and team."""
        cls = self.models.cls(entity)
        clauses = [scope_clause(self.models, self.actor, entity)]
        if self.params.unit:
            clauses.append(cls.unit == self.params.unit)
        if self.params.team:
            org = self.models.org
            assert org is not None
            clauses.append(cls.owner_id.in_(
                sa.select(org.c.user_id).where(org.c.team == self.params.team)))
        return sa.and_(*clauses)

    # ---- time ----------------------------------------------------------------------
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as naive UTC ``[start, end)``."""
        return self.period.utc_bounds(self.zone)

    def cohort_start(self) -> dt.datetime:
        """Naive UTC start of the cohort: ``cohort_days`` before the period's end."""
        return naive_utc(self.period.end - dt.timedelta(days=self.params.cohort_days),
                         self.zone)

    def local_date(self, value: dt.datetime | None) -> dt.date | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC).astimezone(self.zone).date()

    def days_since(self, value: dt.datetime | None) -> int | None:
        return None if value is None else max(0, (self.as_of - value).days)

    # ---- labels --------------------------------------------------------------------
    def field(self, entity: str, field_code: str) -> Field:
        return self.registry.entity(entity).field(field_code)

    def option(self, entity: str, field_code: str, code: Any) -> str:
        """The label of an option code, in the report's language."""
        if code is None or code == "":
            return self.t("（未填）", "(none)")
        found = self.field(entity, field_code).option(str(code))
        return self.label(found.label) if found else str(code)

    def options(self, entity: str, field_code: str) -> list[tuple[str, str]]:
        return [(o.code, self.label(o.label)) for o in self.field(entity, field_code).options]

    def user_names(self, ids: set[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        users = self.session.scalars(sa.select(User).where(User.id.in_(wanted)))
        return {u.id: display_name(u) for u in users}

    def no_access(self, name: str, title: str, entity: str) -> SectionResult:
        label = self.label(self.registry.entity(entity).label) if self.has(entity) else entity
        return SectionResult(name, title, note=self.t(
            f"您的角色无权查看{label}，本节为空。",
            f"Your role may not see {label.lower()} records; this section is empty."))

    def missing(self, name: str, title: str) -> SectionResult:
        return SectionResult(name, title, note=self.t(
            "当前配置缺少本节所需的实体或字段。",
            "The configuration lacks an entity or field this section needs."))


def ratio(part: float | int | None, whole: float | int | None) -> float | None:
    """``part / whole``, or None when the whole is zero."""
    if not whole:
        return None
    return float(part or 0) / float(whole)
