"""Account emails (password reset, sign-up), sent by the Celery worker rather than inside the request.

Whether an address has an account decides which email goes out, if any; sending inside the request made a
known address answer visibly slower than an unknown one. The request only queues the address, and the worker
looks it up.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


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


class SignUpConfirmation(PasswordResetTokenGenerator):
    """Tokens for the link that confirms a new account's address: a salt of their own (a reset token cannot
    confirm, nor a confirmation token reset), and void once the account is active."""

    key_salt = "progress.account_mail.SignUpConfirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


sign_up_confirmation = SignUpConfirmation()


def _send(to: str, template: str, context: dict[str, object]) -> None:
    subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
    send_mail(subject, render_to_string(f"registration/{template}_email.txt", context), None, [to])


def send_sign_up_mail(email: str) -> None:
    """After a sign-up naming `email`: a confirmation link for a new (inactive) account, or, when an account
    already had the address, a note saying so, with the way to log in or reset the password."""
    users = list(User.objects.filter(email__iexact=email).order_by("date_joined"))
    if not users:
        return
    user = users[0]
    context: dict[str, object] = {"user": user, "site_url": settings.SITE_URL}
    if user.is_active:
        _send(user.email, "signup_exists", context)
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    context["confirm_path"] = reverse("signup_confirm", args=[uid, sign_up_confirmation.make_token(user)])
    _send(user.email, "signup_confirm", context)
