"""Settings from the environment; every one optional so the embedded mode just runs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the embedded database: ``var/leadloom.db`` in the project folder (the config folder's parent)
DEFAULT_DATABASE_FILE = Path("var/leadloom.db")
#: the report archive: ``var/reports`` in the project folder
DEFAULT_REPORTS_DIR = Path("var/reports")
DEFAULT_MAIL_FROM = "leadloom <reports@leadloom.local>"

_SQLITE_FILE = re.compile(r"^(sqlite(?:\+\w+)?:///)([^?]*)(.*)$", re.DOTALL)
_ENV = {"config_dir": "LEADLOOM_CONFIG_DIR", "database_url": "LEADLOOM_DATABASE_URL",
        "redis_url": "LEADLOOM_REDIS_URL", "secret_key": "LEADLOOM_SECRET_KEY",
        "reports_dir": "LEADLOOM_REPORTS_DIR", "templates_dir": "LEADLOOM_TEMPLATES_DIR",
        "smtp_url": "LEADLOOM_SMTP_URL", "mail_from": "LEADLOOM_MAIL_FROM",
        "proxy_hops": "LEADLOOM_PROXY_HOPS", "exact_count_limit": "LEADLOOM_EXACT_COUNT_LIMIT"}


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How hard guessing passwords is: POSTs per IP per minute on each login route, and how
    many failed logins in a row lock an account (any username, known or not) for how long."""

    rate: str = "10 per minute"
    max_failures: int = 5
    lock_minutes: float = 15

    @classmethod
    def from_env(cls) -> LoginLimits:
        """``LEADLOOM_LOGIN_RATE_LIMIT``, ``..._MAX_FAILURES``, ``..._LOCK_MINUTES``."""
        env, default = os.environ, cls()
        return cls(rate=env.get("LEADLOOM_LOGIN_RATE_LIMIT") or default.rate,
                   max_failures=int(env.get("LEADLOOM_LOGIN_MAX_FAILURES") or default.max_failures),
                   lock_minutes=float(env.get("LEADLOOM_LOGIN_LOCK_MINUTES")
                                      or default.lock_minutes))


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the config, database, job queue and report archive are.

    Paths are made absolute once, here, so every process and library (Flask-SQLAlchemy
    would otherwise read a relative SQLite path against Flask's instance folder) uses the
    same files whatever its working directory: defaults live in the project folder (the
    config folder's parent), explicit relative values are read against the working
    directory at start-up.
    """

    config_dir: Path = Path("config")
    #: default (None): SQLite file ``var/leadloom.db`` in the project folder
    database_url: str = None  # type: ignore[assignment]
    redis_url: str | None = None
    secret_key: str | None = None
    #: default (None): ``var/reports`` in the project folder
    reports_dir: Path = None  # type: ignore[assignment]
    #: report templates; default: ``reports/templates`` beside the config folder
    templates_dir: Path | None = None
    #: ``smtp://user:password@host:587`` (STARTTLS) or ``smtps://...``; unset: no e-mail
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    #: reverse proxies in front that set ``X-Forwarded-For/-Proto/-Host`` (0: trust none)
    proxy_hops: int = 0
    #: list counts above this many rows are the planner's estimate (PostgreSQL; see
    #: ``model.counts``)
    exact_count_limit: int = 10_000
    #: unset: ``LoginLimits()`` in the app, no limits in tests (which turn them on explicitly)
    login_limits: LoginLimits | None = None

    def __post_init__(self) -> None:
        config_dir = Path(self.config_dir).resolve()
        project = config_dir.parent
        database_url = self.database_url or f"sqlite:///{project / DEFAULT_DATABASE_FILE}"
        reports_dir = Path(self.reports_dir or project / DEFAULT_REPORTS_DIR)
        templates = Path(self.templates_dir).resolve() if self.templates_dir else None
        object.__setattr__(self, "config_dir", config_dir)
        object.__setattr__(self, "database_url", absolute_sqlite_url(database_url))
        object.__setattr__(self, "reports_dir", reports_dir.resolve())
        object.__setattr__(self, "templates_dir", templates)
        object.__setattr__(self, "proxy_hops", int(self.proxy_hops))
        object.__setattr__(self, "exact_count_limit", int(self.exact_count_limit))

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Read ``LEADLOOM_*`` variables; keyword arguments (not None) win over them."""
        values: dict[str, Any] = {name: os.environ.get(var) or None
                                  for name, var in _ENV.items()}
        values["login_limits"] = LoginLimits.from_env()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: v for k, v in values.items() if v is not None})

    @property
    def report_templates(self) -> Path:
        """Where report templates are: ``LEADLOOM_TEMPLATES_DIR`` or ``../reports/templates``
        from the config folder (the repository's layout)."""
        if self.templates_dir is not None:
            return self.templates_dir
        return (self.config_dir / ".." / "reports" / "templates").resolve()

    @property
    def sqlite_file(self) -> Path | None:
        """The database file when the database is a SQLite file, else None."""
        parts = _sqlite_file_parts(self.database_url)
        return Path(parts[1]) if parts else None

    def ensure_local_dirs(self) -> None:
        """Create the folder of a SQLite database file so a first run just works."""
        if self.sqlite_file is not None:
            self.sqlite_file.parent.mkdir(parents=True, exist_ok=True)


def absolute_sqlite_url(url: str) -> str:
    """``url`` with a relative SQLite file path made absolute against the working directory.

    Other URLs, in-memory and ``file:`` URI databases are returned unchanged.
    """
    parts = _sqlite_file_parts(url)
    if parts is None or Path(parts[1]).is_absolute():
        return url
    prefix, path, rest = parts
    return f"{prefix}{Path(path).resolve()}{rest}"


def _sqlite_file_parts(url: str) -> tuple[str, str, str] | None:
    """(``sqlite:///``, file path, ``?query``) of a SQLite file URL, else None."""
    found = _SQLITE_FILE.match(url)
    if not found:
        return None
    prefix, path, rest = found.groups()
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return prefix, path, rest
