"""The reminder's bytes written directly (progress.reminders.wire) read back as the message Django builds."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from email.message import EmailMessage as ParsedMessage

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, EmailMultiAlternatives

from curriculum.models import Plan, Session, Task
from progress.reminders.message import ReminderEmail, build_message
from progress.reminders.wire import wire_bytes
from tests.progress.reminder_helpers import enroll

pytestmark = pytest.mark.django_db

MONDAY, WEDNESDAY = date(2026, 3, 2), date(2026, 3, 4)
COMPARED = ("Subject", "From", "To", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "MIME-Version")


def parse(raw: bytes) -> ParsedMessage:
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only: smtplib sends bytes as they are
    return email.message_from_bytes(raw, policy=email.policy.default)


def assert_same(message: EmailMessage) -> ParsedMessage:
    raw = wire_bytes(message)
    assert raw is not None
    ours, django = parse(raw), parse(message.message(policy=email.policy.SMTP).as_bytes())
    for name in COMPARED:
        assert ours[name] == django[name], name
    assert ours.get_content_type() == django.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        ours_part, django_part = ours.get_body((kind,)), django.get_body((kind,))
        assert ours_part is not None and django_part is not None
        assert ours_part.get_content().replace("\r\n", "\n") == django_part.get_content().replace("\r\n", "\n")
        assert ours_part.get_content_type() == django_part.get_content_type()
    assert ours["Date"] and ours["Message-ID"]
    return ours


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reminder_reads_back_as_djangos_message(alice: User, plan: Plan, language: str) -> None:
    e = enroll(alice, plan, start=MONDAY, language=language)
    assert_same(build_message(e, WEDNESDAY))


def test_markup_and_a_line_too_long_for_smtp_survive(alice: User, plan: Plan) -> None:
    Session.objects.filter(day__number=3, position=1).update(topic="<b>CLIP</b> & BLIP 对比学习")
    Task.objects.filter(session__day__number=3).update(text="读" * 400 + " . \r\n.")  # 1,200 bytes on one line
    e = enroll(alice, plan, start=MONDAY)
    parsed = assert_same(build_message(e, WEDNESDAY))
    part = parsed.get_body(("plain",))
    assert part is not None and part["Content-Transfer-Encoding"] == "base64"


def test_other_shapes_go_through_django() -> None:
    attached = EmailMultiAlternatives("s", "b", to=["a@example.com"])
    attached.attach_alternative("<p>b</p>", "text/html")
    attached.attach("a.txt", "x", "text/plain")
    copied = ReminderEmail("s", "b", to=["a@example.com"], cc=["c@example.com"])
    copied.attach_alternative("<p>b</p>", "text/html")
    injected = ReminderEmail("s", "b", to=["a@example.com"], headers={"List-Unsubscribe": "<x>\r\nBcc: e@x.org"})
    injected.attach_alternative("<p>b</p>", "text/html")
    unicode_to = ReminderEmail("s", "b", to=["ä@example.com"])
    unicode_to.attach_alternative("<p>b</p>", "text/html")
    plain = EmailMessage("s", "b", to=["a@example.com"])
    for message in (attached, copied, injected, unicode_to, plain):
        assert wire_bytes(message) is None
