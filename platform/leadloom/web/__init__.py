"""The web app: Flask-AppBuilder screens and REST APIs generated from the Registry.

The app factories are imported when first asked for (PEP 562): a command that only
writes data (``leadloom demo-data``, ``user``) imports ``leadloom.web.users`` or
``leadloom.web.data_app`` without paying for every screen's module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadloom.web.app import create_app as create_app
    from leadloom.web.live import LiveApp as LiveApp
    from leadloom.web.live import create_live_app as create_live_app

#: public name → the module that defines it
_EXPORTS = {"create_app": "leadloom.web.app", "LiveApp": "leadloom.web.live",
            "create_live_app": "leadloom.web.live"}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'leadloom.web' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
