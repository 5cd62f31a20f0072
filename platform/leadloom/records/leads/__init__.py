"""The lead life cycle: numbering, screening, 查重, grading, assignment, pools, SLAs and
follow-ups, from ``config/leads.yaml``.

The write-path hooks (``pipeline``) are imported by ``records.hooks``, so this package and
the modules it imports must not import ``records.service`` at import time. The operations
users start (``pools``, ``merge``), the periodic jobs (``periodic``) and the recompute
after a publish (``recompute``) are modules of their own, imported by the web layer and the CLI.
"""

from __future__ import annotations
