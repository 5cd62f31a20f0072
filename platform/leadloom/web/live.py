"""Live config: serve the app of the active version, and swap in a new one when published.

A background thread asks the database for the active version number twice a second (one
tiny query, on a connection it keeps). When it changes, the thread builds a complete new
app from the new version and swaps the reference; a request already running keeps the app
it started with. No restart, and every web process (each gunicorn worker has its own
watcher) follows within seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from leadloom.lifecycle import latest_number
from leadloom.model import create_engine
from leadloom.settings import Settings
from leadloom.web.app import create_app

log = logging.getLogger(__name__)

#: How long an app that was swapped out keeps its database pool for requests still running.
GRACE_SECONDS = 60.0


class LiveApp:
    """A WSGI application that always runs the active config version."""

    def __init__(self, settings: Settings, *, poll_seconds: float = 0.5,
                 build: Callable[..., Flask] = create_app) -> None:
        """``build(settings, upgrade=...)`` makes an app; ``upgrade`` is False for swaps."""
        self.settings = settings
        self.poll_seconds = poll_seconds
        self._build = build
        self.app = build(settings, upgrade=True)
        # one connection kept for the watcher: opening one twice a second cost a database
        # connection start each time (a PostgreSQL backend process per worker and tick)
        self._engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="leadloom-config-watch",
                                         daemon=True)
        self._watcher.start()

    @property
    def version(self) -> int | None:
        return self.app.extensions["leadloom"].registry.version

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        app = self.app  # one read: this request finishes on this app even if a swap happens
        return app(environ, start_response)

    def stop(self) -> None:
        self._stop.set()
        self._watcher.join(timeout=5)
        self._engine.dispose()

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception:  # keep serving the running version; try again next tick
                log.exception("could not switch to the newly published config version")

    def refresh(self) -> bool:
        """Swap in the active version's app if it is newer; True when a swap happened."""
        with self._engine.connect() as conn:
            active = latest_number(conn)
        if active is None or active == self.version:
            return False
        started = time.monotonic()
        fresh = self._build(self.settings, upgrade=False)
        old, self.app = self.app, fresh
        log.info("config version %s is live (built in %.1f s)", self.version,
                 time.monotonic() - started)
        timer = threading.Timer(GRACE_SECONDS, _dispose, args=(old,))
        timer.daemon = True
        timer.start()
        return True


def _dispose(app: Flask) -> None:
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


def create_live_app() -> LiveApp:
    """The production entry point (``gunicorn "leadloom.web:create_live_app()"``)."""
    return LiveApp(Settings.from_env())
