"""The web app: Flask-AppBuilder screens and REST APIs generated from the Registry."""

from __future__ import annotations

from leadloom.web.app import create_app as create_app
from leadloom.web.live import LiveApp as LiveApp
from leadloom.web.live import create_live_app as create_live_app
