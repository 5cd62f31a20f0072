"""leadloom: a low-code CRM platform for sales-lead management.

The layers, top to bottom: ``cli`` → ``web`` / ``demo`` → ``records`` → ``access`` →
``model`` → ``metadata``. Each imports only from the layers below it.
"""

from __future__ import annotations

__version__ = "0.1.0"
