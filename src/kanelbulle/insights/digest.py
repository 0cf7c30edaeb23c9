"""The weekly digest: the attention list as an e-mail (text and HTML), sent or put in the outbox.

It is sent through SMTP when ``KANELBULLE_SMTP_HOST`` is set (with ``KANELBULLE_SMTP_PORT``,
``KANELBULLE_SMTP_USER``, ``KANELBULLE_SMTP_PASSWORD``, ``KANELBULLE_SMTP_TLS`` and
``KANELBULLE_MAIL_FROM``); otherwise it is written to ``<data dir>/outbox/`` as an .eml file, so
it works offline and can be opened in any mail program.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanelbulle.accounts.models import User
from kanelbulle.insights.attention import Attention
from kanelbulle.paths import data_dir

DEFAULT_FROM = "kanelbulle@localhost"


class DigestError(Exception):
    """The digest could not be delivered (one plain line)."""


def smtp_connection() -> BaseEmailBackend | None:
    """An SMTP connection from the environment, or None when no host is configured."""
    host = os.environ.get("KANELBULLE_SMTP_HOST", "").strip()
    if not host:
        return None
    raw_port = os.environ.get("KANELBULLE_SMTP_PORT", "25")
    try:
        port = int(raw_port)
    except ValueError:
        raise DigestError(f"KANELBULLE_SMTP_PORT must be a port number, not {raw_port!r}") from None
    return get_connection(  # type: ignore[no-any-return]
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=host,
        port=port,
        username=os.environ.get("KANELBULLE_SMTP_USER") or None,
        password=os.environ.get("KANELBULLE_SMTP_PASSWORD") or None,
        use_tls=os.environ.get("KANELBULLE_SMTP_TLS", "").lower() in {"1", "true", "yes", "on"},
        timeout=30,
    )


def build(user: User, result: Attention, language: str) -> EmailMultiAlternatives:
    with translation.override(language):
        n = len(result.items)
        subject = ngettext(
            "Kanelbulle: %(n)s customer needs your attention (%(date)s)",
            "Kanelbulle: %(n)s customers need your attention (%(date)s)",
            n,
        ) % {"n": n, "date": result.today.isoformat()}
        context = {"user": user, "result": result, "subject": subject, "language": language}
        text = render_to_string("insights/digest.txt", context)
        html = render_to_string("insights/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        os.environ.get("KANELBULLE_MAIL_FROM", DEFAULT_FROM),
        [user.email] if user.email else [],
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(message: EmailMultiAlternatives, user: User, result: Attention) -> str:
    """Send or file the message; returns a sentence saying where it went."""
    connection = smtp_connection()
    if connection is not None:
        if not message.to:
            raise DigestError(f"{user.username} has no e-mail address to send the digest to")
        message.connection = connection
        try:
            message.send()
        except OSError as exc:
            raise DigestError(f"could not send the digest by SMTP: {exc}") from None
        return _("sent to %(to)s by SMTP") % {"to": message.to[0]}
    outbox = data_dir() / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    path: Path = outbox / f"digest-{user.username}-{result.today.isoformat()}.eml"
    path.write_bytes(message.message().as_bytes())
    return _("written to %(path)s (no SMTP host configured)") % {"path": path}
