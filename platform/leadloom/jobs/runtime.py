"""What a job runs against: the settings, the Registry and models, and database sessions.

A worker builds one ``Runtime`` before it forks (``worker.preload``); the embedded mode
hands its web app's models and engine to its thread. Job functions find theirs with
``current_runtime()`` (a context variable, so each thread and process has its own).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
from sqlalchemy.pool import NullPool

from leadloom.lifecycle import active_registry, latest_number
from leadloom.model import Models, build_models, create_engine
from leadloom.reporting import ReportEnv
from leadloom.settings import Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    env: ReportEnv
    #: the engine this runtime opened itself (a worker's), to look up the active version
    engine: sa.Engine | None = None

    @property
    def models(self) -> Models:
        return self.env.models

    def is_current(self) -> bool:
        """Whether the database's active config version is still the one loaded."""
        if self.engine is None:
            return True
        with self.engine.connect() as conn:
            return latest_number(conn) == self.env.registry.version


_current: ContextVar[Runtime | None] = ContextVar("leadloom_job_runtime", default=None)


def runtime_for(settings: Settings, models: Models,
                sessions: sessionmaker[Session] | None = None,
                engine: sa.Engine | None = None) -> Runtime:
    """A runtime over existing models (the web app's), with ``sessions`` or an engine."""
    if sessions is None:
        assert engine is not None, "give sessions or an engine"
        sessions = sessionmaker(engine, expire_on_commit=False)
    env = ReportEnv(models, sessions, settings.reports_dir.resolve(),
                    settings.report_templates.resolve())
    return Runtime(settings, env, engine)


def build_runtime(settings: Settings) -> Runtime:
    """Connect and load the database's active config version, for a worker or the CLI.

    Connections are not pooled: a forking worker must never share a pooled connection
    between its parent and a job's child process.

    :raises ConfigInvalid: the first config (published from the folder) has errors.
    """
    engine = create_engine(settings.database_url, poolclass=NullPool)
    models = build_models(active_registry(engine, settings.config_dir))
    # as the web app does at start: backrefs such as FAB's ``User.roles`` exist from now on
    configure_mappers()
    return runtime_for(settings, models, engine=engine)


def refreshed(runtime: Runtime) -> Runtime:
    """``runtime``, or a new one if a newer config version was published meanwhile."""
    if runtime.is_current():
        return runtime
    fresh = build_runtime(runtime.settings)
    use_runtime(fresh)
    return fresh


def use_runtime(runtime: Runtime) -> None:
    """Make ``runtime`` the one job functions in this thread (and its forks) use."""
    _current.set(runtime)


def current_runtime() -> Runtime:
    """The runtime set with ``use_runtime``, else one built from the environment (a plain
    ``rq worker`` without leadloom's worker class)."""
    runtime = _current.get()
    if runtime is None:
        runtime = build_runtime(Settings.from_env())
        _current.set(runtime)
    return runtime
