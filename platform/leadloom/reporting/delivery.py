"""E-mail delivery of archived PDFs over SMTP (``LEADLOOM_SMTP_URL``), each attempt logged.

``smtp://user:password@host:587`` uses STARTTLS, ``smtps://...:465`` TLS from the start,
``smtp://host:25`` without login sends plainly (a local relay).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from leadloom.model import Models
from leadloom.reporting import archive
from leadloom.reporting.archive import ArchivedReport


def send_pdf(smtp_url: str, sender: str, to: str, subject: str, body: str,
             pdf: Path) -> None:
    """Send one message with ``pdf`` attached.

    :raises OSError: or ``smtplib.SMTPException``: the server refused or was unreachable.
    """
    url = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=pdf.name)
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 587 if url.username else 25)
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client_class(url.hostname or "localhost", port, timeout=30) as client:
        if not secure and url.username:
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


def deliver(session: Session, models: Models, reports_dir: Path, smtp_url: str,
            sender: str, archived: ArchivedReport, email: str | None) -> str:
    """E-mail ``archived`` to ``email`` once; returns the logged status.

    A copy already ``sent`` is not sent again (a retried job); a recipient without an
    address is logged as ``skipped``; a refused send is logged as ``failed`` and re-raised
    so the job retries.
    """
    if any(d["status"] == "sent" for d in archive.deliveries(session, models, archived.id)):
        return "sent"
    if not email:
        archive.log_delivery(session, models, archived.id, "", "skipped", "no e-mail address")
        return "skipped"
    subject = f"{archived.title} · {archived.period}"
    body = f"{archived.title}\n{archived.period} · {archived.scope}\n\n— leadloom"
    try:
        send_pdf(smtp_url, sender, email, subject, body, archived.file(reports_dir))
    except (OSError, smtplib.SMTPException) as error:
        archive.log_delivery(session, models, archived.id, email, "failed", str(error)[:500])
        raise
    archive.log_delivery(session, models, archived.id, email, "sent")
    return "sent"
