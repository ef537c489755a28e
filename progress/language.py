"""The interface language: per learner (LearnerProfile.language), cookie for anonymous visitors.

Django's LocaleMiddleware has already picked a language from the cookie / Accept-Language (default
zh-hans) before authentication runs. `LearnerLanguageMiddleware`, placed after AuthenticationMiddleware,
then switches logged-in learners to their profile's language. The profile value is copied into the session
at log-in and on every save, so a page costs no query for it; another device picks up a change at its next
log-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY as SESSION_USER_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from progress.models import Enrollment, LearnerProfile

SESSION_KEY = "learner_language"


def supported(code: str | None) -> str | None:
    """`code` if it is one of settings.LANGUAGES, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def learner_language(enrollment: Enrollment) -> str:
    """The language of emails and feeds made for this learner, away from any request."""
    try:
        return enrollment.user.learner_profile.language
    except LearnerProfile.DoesNotExist:
        return settings.LANGUAGE_CODE


def remember_language(request: HttpRequest, code: str) -> None:
    """Store the learner's choice in the session and use it for the rest of this request."""
    request.session[SESSION_KEY] = code
    translation.activate(code)
    request.LANGUAGE_CODE = code


@receiver(user_logged_in, dispatch_uid="progress.language.on_login")
def load_language_on_login(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    if request is None or not hasattr(request, "session"):
        return
    code = LearnerProfile.objects.filter(user=user).values_list("language", flat=True).first()
    request.session[SESSION_KEY] = supported(code) or settings.LANGUAGE_CODE


class LearnerLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read the session only, never request.user: loading the user would cost a query on every request,
        # health checks included. The language is in the session from log-in on.
        session = request.session
        if SESSION_KEY in session or SESSION_USER_KEY in session:
            code = supported(session.get(SESSION_KEY))
            if code is None:
                # A session from before this middleware existed: read the profile once and keep it.
                stored = (
                    LearnerProfile.objects.filter(user_id=session[SESSION_USER_KEY])
                    .values_list("language", flat=True)
                    .first()
                )
                code = supported(stored) or settings.LANGUAGE_CODE
                session[SESSION_KEY] = code
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
