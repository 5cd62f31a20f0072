"""What goes wrong with an import as a whole (a row's problems are its ``RowOutcome``)."""

from __future__ import annotations

from leadloom.metadata.messages import Message


class ImportFileError(Exception):
    """The file cannot be read as a table: empty, no header, not CSV/XLSX, too many rows.

    ``message`` is a translatable ``Message``; the API answers 422 with it.
    """

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


class ImportRequestError(Exception):
    """The import's request is wrong (unknown entity or field in the mapping, bad option);
    ``field`` names the request part at fault (``mapping``, ``on_duplicate``, ``entity``
    ...)."""

    def __init__(self, message: Message, field: str = "mapping") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
