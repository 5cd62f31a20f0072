"""The data sections a report can show, by name (``metadata.reports.SECTIONS``).

A section is a function of a ``SectionContext`` (one recipient, one period) returning a
``SectionResult``; every query in it is scoped by the recipient's ``access.scope_clause``.
"""

from __future__ import annotations

from collections.abc import Callable

from leadloom.reporting.context import SectionContext, SectionResult
from leadloom.reporting.sections.activity import period_activity
from leadloom.reporting.sections.conversion import by_method, conversion_summary, lost_reasons
from leadloom.reporting.sections.dimensions import by_industry, by_rep, by_source
from leadloom.reporting.sections.finance import finance_contracts, finance_summary
from leadloom.reporting.sections.funnel import funnel_stages, stage_conversion, stalled_leads
from leadloom.reporting.sections.sla import sla_compliance
from leadloom.reporting.sections.stale import stale_leads

Section = Callable[[SectionContext], SectionResult]

SECTIONS: dict[str, Section] = {
    "funnel_stages": funnel_stages, "stage_conversion": stage_conversion,
    "period_activity": period_activity, "stalled_leads": stalled_leads,
    "conversion_summary": conversion_summary, "by_source": by_source, "by_rep": by_rep,
    "by_industry": by_industry, "by_method": by_method, "lost_reasons": lost_reasons,
    "stale_leads": stale_leads, "finance_summary": finance_summary,
    "finance_contracts": finance_contracts, "sla_compliance": sla_compliance,
}
