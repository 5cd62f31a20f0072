"""The error file: the rows an import refused or skipped, with the file's own headers and
a last column saying why, so that the user fixes the cells and imports the file again
(the reason column maps to no field and is ignored)."""

from __future__ import annotations

import io

from leadloom.imports.runs import import_run, run_outcomes
from leadloom.metadata.catalog import in_language
from leadloom.metadata.messages import Message
from leadloom.records import Context

REASON = {"zh": "原因", "en": "Reason"}
OUTCOME = {"zh": {"refused": "拒绝", "skipped": "跳过"},
           "en": {"refused": "refused", "skipped": "skipped"}}


def error_file(ctx: Context, run_id: int, locale: str | None = None
               ) -> tuple[str, bytes] | None:
    """(file name, XLSX bytes) of run ``run_id``'s refused and skipped rows, reasons in
    ``locale`` (default: the app's language); None if the actor may not read the run."""
    from openpyxl import Workbook  # on first use: commands that import nothing skip it

    run = import_run(ctx, run_id)
    if run is None:
        return None
    lang = locale if locale in REASON else ctx.registry.app.default_locale
    outcomes = run_outcomes(ctx, run_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    headers = list(outcomes[0].values) if outcomes else _headers(ctx, run_id)
    sheet.append([*headers, REASON[lang]])
    for o in outcomes:
        why = "；".join(_text(r, lang) for r in o.reasons) or OUTCOME[lang][o.outcome]
        sheet.append([_cell(sheet, o.values.get(h, "")) for h in headers]
                     + [f"[{OUTCOME[lang][o.outcome]}] {why}"])
    data = io.BytesIO()
    book.save(data)
    stem = run.filename.rsplit(".", 1)[0]
    return f"{stem}.errors.xlsx", data.getvalue()


def _headers(ctx: Context, run_id: int) -> list[str]:
    run = import_run(ctx, run_id)
    return list(run.mapping) if run is not None else []


def _text(reason: str, locale: str) -> str:
    return in_language(reason, locale) if isinstance(reason, Message) else str(reason)


def _cell(sheet: object, text: str) -> object:
    """Text stays text: "=1+1" from the file must not come back as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)  # type: ignore[arg-type]
    cell.data_type = "s"
    return cell
