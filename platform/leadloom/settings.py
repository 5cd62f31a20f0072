"""Settings from the environment; every one optional so the embedded mode just runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///var/leadloom.db"
DEFAULT_MAIL_FROM = "leadloom <reports@leadloom.local>"


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
    #: reverse proxies in front that set ``X-Forwarded-For/-Proto/-Host`` (0: trust none)
    proxy_hops: int = 0

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
            proxy_hops=int(env.get("LEADLOOM_PROXY_HOPS") or 0),
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
