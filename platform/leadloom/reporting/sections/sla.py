"""First-touch SLA compliance in the period, per rep: on time, late, missed and the on-time
share (``records.leads.sla_compliance``, over the recipient's leads)."""

from __future__ import annotations

from leadloom.records.leads.sla_compliance import first_touch_compliance
from leadloom.reporting.context import SectionContext, SectionResult, ratio

NAME = "sla_compliance"


def sla_compliance(ctx: SectionContext) -> SectionResult:
    title = ctx.t("首次触达时效达标率", "First-touch SLA compliance")
    if not ctx.has("lead", "first_touch_due_at"):
        return ctx.missing(NAME, title)
    if not ctx.may_list("lead"):
        return ctx.no_access(NAME, title, "lead")
    start, end = ctx.bounds()
    found = first_touch_compliance(ctx.session, ctx.models, start, end, ctx.rows_of("lead"))
    names = ctx.user_names({c.owner_id for c in found})
    nobody = ctx.t("（无负责人）", "(no owner)")
    rows = [{"label": names.get(c.owner_id, nobody) if c.owner_id else nobody, "due": c.due,
             "on_time": c.on_time, "late": c.late, "missed": c.missed, "share": c.share}
            for c in found]
    on_time = sum(c.on_time for c in found)
    due = sum(c.due for c in found)
    return SectionResult(NAME, title, {"rows": rows, "on_time": on_time, "due": due,
                                       "share": ratio(on_time, due),
                                       "late": sum(c.late for c in found),
                                       "missed": sum(c.missed for c in found)})
