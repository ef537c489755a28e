"""One-click unsubscribe from reminder emails (RFC 8058), reached from the email without logging in.

The signed token is the credential: it names one enrollment and cannot be forged without SECRET_KEY.
The view is CSRF-exempt because mail providers POST `List-Unsubscribe=One-Click` with no cookies; a
forged cross-site POST would still need the token, which only the recipient's mailbox has.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from progress.models import Enrollment
from progress.reminders import enrollment_pk_from_token, learner_language


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    pk = enrollment_pk_from_token(token)
    enrollment = (
        Enrollment.objects.select_related("plan", "user__learner_profile").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if enrollment is None:
        raise Http404("unknown or tampered unsubscribe link")
    if request.method == "POST":
        # An UPDATE, not a read-modify-write: repeating it (providers retry) changes nothing more.
        Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
    with translation.override(learner_language(enrollment)):
        response = render(
            request,
            "progress/unsubscribe.html",
            {"enrollment": enrollment, "token": token, "done": request.method == "POST"},
        )
    return response
