"""Lists out as files: a reader's list (the list's query, the columns they may see) to XLSX
or CSV, streamed in batches, audited, watermarked where config asks."""

from __future__ import annotations

from leadloom.exports.errors import ExportError as ExportError
from leadloom.exports.errors import TooManyRows as TooManyRows
from leadloom.exports.errors import UnknownFormat as UnknownFormat
from leadloom.exports.rows import Wording as Wording
from leadloom.exports.service import ExportRequest as ExportRequest
from leadloom.exports.service import ExportResult as ExportResult
from leadloom.exports.service import export_rows as export_rows
from leadloom.exports.writers import FORMATS as FORMATS
from leadloom.exports.writers import MEDIA_TYPES as MEDIA_TYPES
