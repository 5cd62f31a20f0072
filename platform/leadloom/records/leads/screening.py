"""Screening (R-03/R-04): validity rules flag a lead; a ``review`` flag sets it to 待核实.

Nothing is deleted: a flagged lead stays where it is, with its flags, for a person to
verify. Marking a lead 无效 needs a reason (``invalid_reason``).
"""

from __future__ import annotations

from leadloom.records.leads.state import LeadWrite

#: statuses screening may move to 待核实 (a lead someone is already working stays put)
INITIAL = ("new", "assigned", "unassigned")


def screen(w: LeadWrite) -> None:
    """Set ``screening_flags``; note whether a ``review`` flag asks for 待核实."""
    screening = w.rules.screening
    values = w.expression_values()
    flags = [r for r in screening.rules if r.when.test(values, now=w.now)]
    codes = sorted(r.code for r in flags)
    before = sorted(w.change.before.get("screening_flags") or [])
    if w.creating or codes != before:
        w.set("screening_flags", codes)
    w.review = any(r.action == "review" for r in flags)
    if w.history or w.change.deleting:
        return
    status = w.values.get("status")
    written = "status" in w.change.values and not w.creating
    if w.review and status in INITIAL and not written and (w.creating or codes != before):
        w.set("status", screening.status)
    elif not w.review and status == screening.status and not written and not w.creating:
        w.set("status", "assigned" if w.owner is not None else "unassigned")
    _require_reason(w)


def _require_reason(w: LeadWrite) -> None:
    invalid = w.rules.screening.invalid_status
    if w.values.get("status") != invalid or w.change.before.get("status") == invalid:
        return
    if not w.values.get("invalid_reason"):
        w.change.reject("invalid_reason", "give a reason to mark the lead invalid "
                                          "(无效原因 is required)")
