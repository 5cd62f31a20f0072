"""The import of rows, batch after batch, through the one write path (channel "import").

Each row is converted (``rows``) and checked for duplicates (``matching``) first; the
rows to create go to ``records.bulk_create`` in batches and the rows that update a lead
to ``records.bulk_update``. Rows fail one by one: a row the write path refuses is taken
out of its batch with its reasons and the batch is tried again without it; a batch the
database refuses as a whole is split until the row at fault stands alone. A batch's
writes and the import's bookkeeping (``Batch.bookkeeping``) commit together, so an import
stopped mid-way holds whole batches and knows how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from leadloom.imports.matching import Match, Matcher
from leadloom.imports.options import ImportOptions
from leadloom.imports.rows import RowReader, columns_of
from leadloom.imports.sheets import Sheet
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.records import Conflict, Context, RecordError, RecordInvalid, bulk_create, bulk_update
from leadloom.records.service import NESTED

OUTCOMES = ("created", "updated", "flagged", "skipped", "refused")
#: rows per write: big enough that a batch costs a handful of statements, small enough
#: that a crash loses little and progress moves
BATCH_SIZE = 500


@dataclass(slots=True)
class RowOutcome:
    """What became of one row of the file (``row_number``: its line in the file, 1-based)."""

    row_number: int
    outcome: str
    record_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    #: the row's cells by header, as in the file
    values: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Pending:
    """A row on its way to the write path."""

    outcome: RowOutcome
    data: dict[str, Any]
    match: Match | None = None


class Importer:
    """Imports rows of one sheet for one actor; ``ctx.channel`` should be "import"."""

    def __init__(self, ctx: Context, entity_code: str, sheet: Sheet,
                 mapping: Mapping[str, str | None], options: ImportOptions) -> None:
        self.ctx, self.entity_code, self.sheet, self.options = ctx, entity_code, sheet, options
        self.reader = RowReader(ctx, columns_of(ctx, entity_code, sheet, mapping), options)
        self.matcher = Matcher(ctx, entity_code)
        self.labels = {c.code: c.label for c in self.reader.columns}

    def run(self, start: int = 0, stop: int | None = None,
            bookkeeping: Callable[[int, list[RowOutcome]], None] | None = None,
            batch_size: int = BATCH_SIZE) -> list[RowOutcome]:
        """Import data rows ``start`` to ``stop``; every row's outcome, in file order.

        ``bookkeeping(done, outcomes)`` is called inside each batch's transaction with the
        number of data rows handled so far and the batch's outcomes.
        """
        rows = self.sheet.rows[:stop]
        self._remember_earlier(rows[:start])
        outcomes: list[RowOutcome] = []
        for first in range(start, len(rows), batch_size):
            part = rows[first:first + batch_size]
            done = self._batch(first, part, bookkeeping, first + len(part))
            outcomes += done
        return outcomes

    def _remember_earlier(self, rows: list[list[str]]) -> None:
        """A resumed run: the rows before ``start`` went in, so later rows may match them."""
        for index, row in enumerate(rows):
            data, problems = self.reader.read(row)
            if not problems:
                self.matcher.accept(self.matcher.identity(data), self.sheet.number(index))

    def _batch(self, first: int, rows: list[list[str]],
               bookkeeping: Callable[[int, list[RowOutcome]], None] | None,
               done: int) -> list[RowOutcome]:
        self.reader.prepare(rows)
        pending = [self._read(self.sheet.number(first + i), row) for i, row in enumerate(rows)]
        self.matcher.load([self.matcher.identity(p.data) for p in pending if p.data])
        for p in pending:
            if p.outcome.outcome == "pending":
                self._decide(p)
        creates = [p for p in pending if p.outcome.outcome in ("created", "flagged")]
        updates = [p for p in pending if p.outcome.outcome == "updated"]
        dry = self.options.dry_run
        with self._one_transaction():
            self._write(creates, updates)
            if bookkeeping is not None and not dry:
                bookkeeping(done, [p.outcome for p in pending])
        if dry:  # what was written goes; what the run learnt stays
            self.ctx.session.rollback()
            if bookkeeping is not None:
                bookkeeping(done, [p.outcome for p in pending])
        self.ctx.session.commit()
        return [p.outcome for p in pending]

    def _read(self, row_number: int, row: list[str]) -> _Pending:
        data, problems = self.reader.read(row)
        values = dict(zip(self.sheet.headers, row, strict=True))
        outcome = RowOutcome(row_number, "refused" if problems else "pending",
                             reasons=list(problems), values=values)
        return _Pending(outcome, data)

    def _decide(self, p: _Pending) -> None:
        """skip / flag / update for a row with a duplicate; create for the others."""
        keys = self.matcher.identity(p.data)
        match = self.matcher.match(keys)
        p.match = match
        choice = self.options.on_duplicate
        outcome = p.outcome
        if match is None:
            outcome.outcome = "created"
        elif match.existing is not None and not match.existing.visible:
            outcome.outcome = "skipped"
        elif choice == "flag":
            outcome.outcome = "flagged"
        elif choice == "update" and match.existing is not None and match.existing.updatable:
            outcome.outcome = "updated"
            outcome.record_id = match.existing.id
        else:
            outcome.outcome = "skipped"
        if match is not None and outcome.outcome == "skipped":
            outcome.reasons.append(self.matcher.notice(match))
        if outcome.outcome in ("created", "flagged"):
            self.matcher.accept(keys, outcome.row_number)

    def _write(self, creates: list[_Pending], updates: list[_Pending]) -> None:
        """Create and update through the write path; a refused row leaves its batch."""
        self._create(creates)
        if not updates:
            return
        try:
            result = bulk_update(self.ctx, self.entity_code,
                                 {p.outcome.record_id: p.data for p in updates})
        except Conflict as conflict:  # the batch's transaction was rolled back
            for p in updates:
                self._refuse(p, {"": [conflict.message]})
            self._create([p for p in creates if p.outcome.outcome != "refused"])
            return
        for p in updates:
            failed = result.failed.get(p.outcome.record_id)  # type: ignore[arg-type]
            if failed is not None:
                self._refuse(p, failed.errors)

    def _create(self, creates: list[_Pending]) -> None:
        """``bulk_create`` the rows, taking out each row it refuses, until the rest go in."""
        while creates:
            try:
                ids = bulk_create(self.ctx, self.entity_code, [p.data for p in creates])
            except RecordInvalid as invalid:
                refused = self._refuse_rows(creates, invalid.errors)
                creates = [p for i, p in enumerate(creates) if i not in refused]
                continue
            except RecordError as error:  # the database said no: find the row at fault
                culprit = self._culprit(creates)
                for p in creates if culprit is None else [creates[culprit]]:
                    self._refuse(p, {"": [error.message]})
                creates = [] if culprit is None else creates[:culprit] + creates[culprit + 1:]
                continue
            for p, record_id in zip(creates, ids, strict=True):
                p.outcome.record_id = None if self.options.dry_run else record_id
            return

    def _culprit(self, rows: list[_Pending]) -> int | None:
        """The index of a row the database refuses, halving ``rows`` with trial writes
        that are rolled back; None when no part fails alone."""
        if len(rows) == 1:
            return 0
        half = len(rows) // 2
        for offset, part in ((0, rows[:half]), (half, rows[half:])):
            if not self._writes(part):
                found = self._culprit(part)
                return None if found is None else offset + found
        return None

    def _writes(self, rows: list[_Pending]) -> bool:
        """Whether ``rows`` would go in (tried and rolled back)."""
        try:
            bulk_create(self.ctx, self.entity_code, [p.data for p in rows])
        except RecordError:
            return False
        finally:
            self.ctx.session.rollback()
        return True

    def _refuse_rows(self, rows: list[_Pending], errors: dict[str, list[str]]) -> set[int]:
        """Refuse the rows ``errors`` name ("<index>.<field>"); their indexes."""
        by_row: dict[int, dict[str, list[str]]] = {}
        for name, messages in errors.items():
            index, _, code = name.partition(".")
            if index.isdigit() and int(index) < len(rows):
                by_row.setdefault(int(index), {})[code] = messages
        if not by_row:  # a refusal of no row in particular: every row carries it
            by_row = {i: errors for i in range(len(rows))}
        for index, problems in by_row.items():
            self._refuse(rows[index], problems)
        return set(by_row)

    def _refuse(self, p: _Pending, errors: Mapping[str, list[str]]) -> None:
        outcome = p.outcome
        if outcome.outcome in ("created", "flagged"):
            self.matcher.forget(self.matcher.identity(p.data), outcome.row_number)
        outcome.outcome = "refused"
        outcome.record_id = None
        for code, messages in errors.items():
            label = self.labels.get(code) or self._label(code)
            for message in messages:
                outcome.reasons.append(Message("%(field)s: %(problem)s", field=label,
                                               problem=message) if label else message)

    def _label(self, code: str) -> Label | None:
        if not code:
            return None
        entity = self.ctx.registry.entity(self.entity_code)
        return entity.field(code).label if code in entity.by_code else None

    @contextmanager
    def _one_transaction(self) -> Iterator[None]:
        """The batch's writes only flush; the batch commits (or a dry run rolls back) as one."""
        info = self.ctx.session.info
        depth = info.get(NESTED, 0)
        info[NESTED] = depth + 1
        try:
            yield
        except BaseException:
            self.ctx.session.rollback()
            raise
        finally:
            info[NESTED] = depth


def counts(outcomes: list[RowOutcome]) -> dict[str, int]:
    """How many rows had each outcome."""
    found = dict.fromkeys(OUTCOMES, 0)
    for o in outcomes:
        found[o.outcome] += 1
    return found


def preview(ctx: Context, entity_code: str, sheet: Sheet, mapping: Mapping[str, str | None],
            options: ImportOptions, limit: int = 20) -> list[RowOutcome]:
    """The outcome of the first ``limit`` rows as the import would have it, written by the
    same steps and rolled back: nothing is stored.

    :raises ImportRequestError: the mapping is wrong.
    """
    dry = ImportOptions(options.on_duplicate, True, options.money_unit)
    try:
        return Importer(ctx, entity_code, sheet, mapping, dry).run(stop=limit)
    finally:
        ctx.session.rollback()
