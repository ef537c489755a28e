"""Sign-up (Django's UserCreationForm plus an email address, needed for password reset and reminders), and
the password-reset request, whose email the Celery worker sends."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from progress.language import supported
from progress.models import LearnerProfile
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
        # No "already registered" error: that would tell anybody which addresses have accounts. A sign-up naming
        # a registered address is accepted, and the address's owner is told by email (progress.account_mail).
        return str(self.cleaned_data["email"]).strip()

    def register(self) -> None:
        """Create the account, inactive until its address is confirmed, unless the address already has one.

        The password is hashed either way (the slow part), so both cases cost the request about the same.
        One account per address: a reset link must never reach somebody else's account.
        """
        user = self.save(commit=False)
        if User.objects.filter(email__iexact=user.email).exists():
            return
        language = supported(translation.get_language()) or settings.LANGUAGE_CODE
        with transaction.atomic():
            user.is_active = False
            user.save()
            # Keep the language the visitor signed up in, for the emails and the pages after logging in.
            LearnerProfile.objects.create(user=user, language=language)


class QueuedPasswordResetForm(PasswordResetForm):
    """Queues the address for the worker (progress.account_mail) instead of looking it up and mailing here,
    so a known and an unknown address cost the request the same."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        try:
            send_password_reset.delay(self.cleaned_data["email"], translation.get_language())
        except Exception:
            # A broker outage must not turn into a different answer (or a 500) for some addresses.
            log.exception("could not queue a password-reset email")
