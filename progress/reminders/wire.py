"""The bytes of a reminder or nudge on the wire, written directly in the one shape these emails have.

Django builds a message with the email package's modern API, which parses every header into an object and
folds it again on output: about three times the CPU of rendering the email's three templates, and the
largest cost of a reminder batch. These emails always have the same shape (a text body, one HTML
alternative, a fixed set of headers we set ourselves), so `wire_bytes` writes that shape directly: the same
headers and parts as Django's `message(policy=SMTP).as_bytes()`, with the subject as RFC 2047 words and each
part in 8bit (base64 when a line would be too long for SMTP). Anything it does not recognise (attachments,
another alternative, CC, a header value it would have to fold or encode, a non-ASCII address) returns None,
and the message goes through Django's own path. tests/progress/test_reminder_wire.py parses both and
compares them.
"""

from __future__ import annotations

import base64
import functools
import secrets
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME

# RFC 5321: a line is at most 998 octets before CRLF; longer ones go base64.
MAX_LINE = 998
_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted")


def _plain(value: str) -> bool:
    """A header value written as it is: ASCII, no line breaks, short enough never to be folded."""
    return value.isascii() and "\r" not in value and "\n" not in value and len(value) < 900


@functools.cache
def _from_header(from_email: str) -> str | None:
    name, address = parseaddr(from_email)
    if not address or not address.isascii() or not _plain(from_email):
        return None
    return formataddr((name, address), charset="utf-8")


@functools.lru_cache(maxsize=256)
def _subject_header(subject: str) -> str:
    """The subject as written on the wire: RFC 2047 words unless plain ASCII. Cached: a batch's learners on
    the same plan day share their subject, and encoding it costs as much as rendering a template."""
    return subject if _plain(subject) else Header(subject, "utf-8").encode(linesep="\r\n")


def _part(subtype: str, content: str) -> bytes:
    lines = content.replace("\r\n", "\n").replace("\r", "\n").encode().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    if all(len(line) <= MAX_LINE for line in lines):
        encoding, payload = b"8bit", b"\r\n".join(lines) + b"\r\n"
    else:
        encoding, payload = b"base64", base64.encodebytes(b"\n".join(lines) + b"\n").replace(b"\n", b"\r\n")
    head = b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\n' % (
        subtype.encode(),
        encoding,
    )
    return head + b"\r\n" + payload


def wire_bytes(message: EmailMessage) -> bytes | None:
    """The message as sent over SMTP (CRLF line ends: smtplib sends bytes as they are), or None when its shape
    is not the one written here."""
    if not isinstance(message, EmailMultiAlternatives) or message.attachments or message.cc or message.bcc:
        return None
    if message.reply_to or len(message.to) != 1 or message.content_subtype != "plain":
        return None
    if len(message.alternatives) != 1 or message.alternatives[0][1] != "text/html":
        return None
    if set(message.extra_headers) - set(_HEADERS):
        return None
    to, subject = message.to[0], str(message.subject)
    sender = _from_header(message.from_email or settings.DEFAULT_FROM_EMAIL)
    if sender is None or settings.EMAIL_USE_LOCALTIME or not _plain(to) or "\n" in subject or "\r" in subject:
        return None
    if not all(_plain(str(v)) for v in message.extra_headers.values()):
        return None
    html, text = str(message.alternatives[0][0]), str(message.body)
    boundary = f"==============={secrets.randbits(63)}=="
    while boundary in text or boundary in html:  # as the email package does, however unlikely
        boundary = f"==============={secrets.randbits(63)}=="
    lines = [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        f"Subject: {_subject_header(subject)}",
        f"From: {sender}",
        f"To: {to}",
        f"Date: {format_datetime(datetime.now(UTC))}",
        f"Message-ID: {make_msgid(domain=DNS_NAME)}",
        *(f"{name}: {message.extra_headers[name]}" for name in _HEADERS if name in message.extra_headers),
    ]
    separator = f"\r\n--{boundary}\r\n".encode()
    return (
        "\r\n".join(lines).encode()
        + b"\r\n"
        + separator
        + _part("plain", text)
        + separator
        + _part("html", html)
        + f"\r\n--{boundary}--\r\n".encode()
    )
