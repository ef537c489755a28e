"""Account emails, sent by the Celery worker rather than inside the request.

Whether an address has an account decides whether an email goes out; sending inside the request made a known
address answer visibly slower than an unknown one. The request now only queues the address, the same work
for both, and the worker looks it up.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm


def send_password_reset_mail(email: str) -> None:
    """Django's reset email to every active account with this address (none: nothing is sent)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    # Links come from SITE_URL, never from a Host header (there is no request here anyway).
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        extra_email_context={"site_url": settings.SITE_URL},
    )
