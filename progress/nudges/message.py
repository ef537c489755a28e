"""A nudge's email: the instructor's subject and Markdown body (sanitised like notes), in text and HTML, in
the learner's language, with the reminders' one-click unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from progress.language import learner_language
from progress.links import absolute_url
from progress.nudges.models import NudgeDelivery
from progress.reminders.message import NothingToSend, ReminderEmail, unsubscribe_headers


def build_nudge(delivery: NudgeDelivery) -> EmailMessage:
    """The email for one recipient; NothingToSend when they turned emails off since the nudge was made."""
    enrollment, nudge = delivery.enrollment, delivery.nudge
    if not enrollment.reminders_enabled:
        raise NothingToSend("the learner turned emails off")
    if not enrollment.user.email:
        raise NothingToSend("the learner has no email address")
    unsubscribe_url, headers = unsubscribe_headers(enrollment)
    with translation.override(learner_language(enrollment)):
        context = {
            "nudge": nudge,
            "user": enrollment.user,
            "plan": enrollment.plan,
            "today_url": absolute_url(reverse("progress:today")),
            "unsubscribe_url": unsubscribe_url,
            "site_url": settings.SITE_URL,
            "language": translation.get_language(),
        }
        text = render_to_string("emails/nudge.txt", context)
        html = render_to_string("emails/nudge.html", context)
    message = ReminderEmail(
        subject=" ".join(nudge.subject.split()), body=text, to=[enrollment.user.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message
