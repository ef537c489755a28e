"""Sign-up (with address confirmation), password reset and the language switch; the other account pages are
Django's auth views (config/urls.py)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from progress.account_mail import sign_up_confirmation
from progress.forms.accounts import QueuedPasswordResetForm, SignUpForm
from progress.language import remember_language, supported
from progress.models import LearnerProfile
from progress.tasks import send_sign_up
from progress.throttle import throttled

log = logging.getLogger(__name__)


@require_http_methods(["GET", "HEAD", "POST"])
@throttled("signup")
def signup(request: HttpRequest) -> HttpResponse:
    """Accepts every valid form alike, registered address or not, and sends the rest by email: a confirmation
    link for a new account, "you already have an account" otherwise (progress.account_mail)."""
    if request.user.is_authenticated:
        return redirect("progress:today")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.register()
        queue_sign_up_mail(form.cleaned_data["email"])
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form})


def queue_sign_up_mail(email: str) -> None:
    try:
        send_sign_up.delay(email, translation.get_language())
    except Exception:
        # A broker outage must not make this answer differ from one address to another.
        log.exception("could not queue a sign-up email")


@require_safe
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_done.html")


@require_safe
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Activate the account the link names and send its owner to log in; it does not log anybody in, so a
    mail scanner opening the link gains nothing."""
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64))).first()
    except (ValueError, OverflowError):
        user = None
    if user is None or not sign_up_confirmation.check_token(user, token):
        return render(request, "registration/signup_confirm_invalid.html")
    user.is_active = True
    user.save(update_fields=["is_active"])
    messages.success(request, _("Your address is confirmed. Log in to start."))
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect to `next`), and for a learner also their profile."""
    response = django_set_language(request)
    code = supported(request.POST.get("language"))
    if code and request.user.is_authenticated:
        LearnerProfile.objects.update_or_create(user=request.user, defaults={"language": code})
        remember_language(request, code)
    return response


# The worker sends the email (progress.account_mail), with links built from SITE_URL, never from the request's
# Host header (a forged Host must not put an attacker's domain into a genuine reset email).
password_reset = throttled("password_reset")(PasswordResetView.as_view(form_class=QueuedPasswordResetForm))
