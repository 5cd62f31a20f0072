"""Reports: data sections (scoped queries) → Jinja HTML → PDF (WeasyPrint), SVG charts,
and the archive of every rendered PDF. No Flask, no queue: ``jobs`` and the CLI call in."""

from __future__ import annotations

from leadloom.reporting.archive import ArchivedReport as ArchivedReport
from leadloom.reporting.audience import Recipient as Recipient
from leadloom.reporting.audience import is_admin as is_admin
from leadloom.reporting.audience import may_run as may_run
from leadloom.reporting.context import SectionContext as SectionContext
from leadloom.reporting.context import SectionResult as SectionResult
from leadloom.reporting.errors import MissingFont as MissingFont
from leadloom.reporting.errors import ReportError as ReportError
from leadloom.reporting.service import ReportEnv as ReportEnv
from leadloom.reporting.service import ReportRequest as ReportRequest
from leadloom.reporting.service import run_report as run_report
from leadloom.reporting.service import spec_of as spec_of
