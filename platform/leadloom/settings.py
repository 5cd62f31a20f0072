"""Settings from the environment; every one optional so the embedded mode just runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///var/leadloom.db"
DEFAULT_MAIL_FROM = "leadloom <reports@leadloom.local>"


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
    """Where the config, database, job queue and report archive are."""

    config_dir: Path = Path("config")
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key: str | None = None
    reports_dir: Path = Path("var/reports")
    #: report templates; default: ``reports/templates`` beside the config folder
    templates_dir: Path | None = None
    #: ``smtp://user:password@host:587`` (STARTTLS) or ``smtps://...``; unset: no e-mail
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    #: unset: ``LoginLimits()`` in the app, no limits in tests (which turn them on explicitly)
    login_limits: LoginLimits | None = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Read ``LEADLOOM_*`` variables; keyword arguments win over the environment."""
        env = os.environ
        settings = cls(
            config_dir=Path(env.get("LEADLOOM_CONFIG_DIR", "config")),
            database_url=env.get("LEADLOOM_DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=env.get("LEADLOOM_REDIS_URL") or None,
            secret_key=env.get("LEADLOOM_SECRET_KEY") or None,
            reports_dir=Path(env.get("LEADLOOM_REPORTS_DIR", "var/reports")),
            templates_dir=Path(env["LEADLOOM_TEMPLATES_DIR"])
            if env.get("LEADLOOM_TEMPLATES_DIR") else None,
            smtp_url=env.get("LEADLOOM_SMTP_URL") or None,
            mail_from=env.get("LEADLOOM_MAIL_FROM") or DEFAULT_MAIL_FROM,
            login_limits=LoginLimits.from_env(),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def report_templates(self) -> Path:
        """Where report templates are: ``LEADLOOM_TEMPLATES_DIR`` or ``../reports/templates``
        from the config folder (the repository's layout)."""
        if self.templates_dir is not None:
            return self.templates_dir
        return (self.config_dir / ".." / "reports" / "templates").resolve()

    def ensure_local_dirs(self) -> None:
        """Create the folder of a SQLite database file so a first run just works."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            Path(self.database_url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)
