"""What reporting can refuse; each carries the HTTP status the web layer answers with.

They extend the write path's ``RecordError`` so one error handler serves both.
"""

from __future__ import annotations

from leadloom.metadata.messages import Message
from leadloom.records.errors import RecordError


class ReportError(RecordError):
    """A report request that cannot be served as asked (400)."""

    status = 400


class UnknownReport(ReportError):
    """No report of that name in ``config/reports/``."""

    status = 404


class ReportNotFound(ReportError):
    """No archived PDF with that id that the user may see (indistinguishable on purpose)."""

    status = 404


class ReportForbidden(ReportError):
    """The user may not run this report."""

    status = 403


class BadPeriod(ReportError):
    """A period that is not ``2025-W52``, ``2025-12`` or ``2025-12-31``."""

    status = 422

    def __init__(self, text: str) -> None:
        super().__init__(Message("period '%(text)s' is not YYYY-Www, YYYY-MM or YYYY-MM-DD",
                                 text=text),
                         {"period": [Message("use 2025-W52, 2025-12 or 2025-12-31")]})


class MissingFont(RuntimeError):
    """No CJK font: Chinese would print as empty boxes. Raised at worker start."""


class TemplateMissing(ReportError):
    """The report's template file is not in the templates folder."""

    status = 500
