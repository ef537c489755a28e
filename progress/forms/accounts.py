"""Sign-up (Django's UserCreationForm plus an email address, needed for password reset and reminders), and
the password-reset request, whose email the Celery worker sends."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from progress.tasks import send_password_reset

log = logging.getLogger(__name__)


class SignUpForm(UserCreationForm[User]):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("For password reset and your daily reminder."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        # One account per address, so a reset link never reaches somebody else's account.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class QueuedPasswordResetForm(PasswordResetForm):
    """Queues the address for the worker (progress.account_mail) instead of looking it up and mailing here,
    so a known and an unknown address cost the request the same."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        try:
            send_password_reset.delay(self.cleaned_data["email"], translation.get_language())
        except Exception:
            # A broker outage must not turn into a different answer (or a 500) for some addresses.
            log.exception("could not queue a password-reset email")
