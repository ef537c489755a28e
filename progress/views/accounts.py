"""Sign-up and the language switch; the other account pages are Django's auth views (config/urls.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from progress.forms.accounts import QueuedPasswordResetForm, SignUpForm
from progress.language import remember_language, supported
from progress.models import LearnerProfile
from progress.throttle import throttled


@require_http_methods(["GET", "HEAD", "POST"])
@throttled("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("progress:today")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            # Keep the language the visitor signed up in, so the site does not switch under their feet.
            language = supported(translation.get_language()) or settings.LANGUAGE_CODE
            LearnerProfile.objects.create(user=user, language=language)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("progress:enroll")
    return render(request, "registration/signup.html", {"form": form})


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
