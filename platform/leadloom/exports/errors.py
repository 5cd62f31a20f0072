"""What an export can refuse, each with the HTTP status the web layer answers with."""

from __future__ import annotations

from leadloom.metadata.messages import Message
from leadloom.records.errors import RecordError


class ExportError(RecordError):
    """An export that cannot be made as asked (400): nothing is written, nothing audited."""

    status = 400


class TooManyRows(ExportError):
    """The list holds more rows than ``app.yaml`` ``export.max_rows`` allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(Message("this list has more than %(limit)s rows, the most one export "
                                 "may hold; narrow it with filters", limit=limit))


class UnknownFormat(ExportError):
    def __init__(self, asked: str) -> None:
        super().__init__(Message("cannot export as \"%(format)s\": choose xlsx or csv",
                                 format=asked), {"format": [Message("choose xlsx or csv")]})
