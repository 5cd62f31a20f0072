"""The Reports screens' menu and what every signed-in user is granted on them.

Apart from ``web.reports`` so that syncing roles (``web.security``, also run by
``web.data_app``) does not load the report machinery (``reporting``, charts).
"""

from __future__ import annotations

from leadloom.metadata.registry import Label

MENU = "reports"
MENU_LABEL = Label("报表", "Reports")
#: What every signed-in user is granted (``web.security``): the Reports page, its API.
PERMISSIONS = [("can_read", "Reports"), ("menu_access", "Reports"), ("menu_access", MENU)]
