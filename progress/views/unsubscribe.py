"""One-click unsubscribe from reminder emails (RFC 8058), reached from the email without logging in.

The signed token (progress.unsubscribe) is the credential. A link from before the learner last turned
reminders back on has expired: it changes nothing and answers 410 with the way to the settings page. The
view is CSRF-exempt because mail providers
POST `List-Unsubscribe=One-Click` with no cookies; a forged cross-site POST would still need the token,
which only the recipient's mailbox has.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from progress.language import learner_language
from progress.unsubscribe import read_unsubscribe_link, turn_off_reminders


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    link = read_unsubscribe_link(token)
    if link is None:
        raise Http404("unknown or tampered unsubscribe link")
    enrollment = link.enrollment
    # Read before acting: a second click (or the provider's retry) is told it was done already, not thanked again.
    already = not link.expired and not enrollment.reminders_enabled
    if request.method == "POST" and not link.expired and not already:
        turn_off_reminders(enrollment)
    context = {
        "enrollment": enrollment,
        "token": token,
        "done": request.method == "POST",
        "already": already,
        "expired": link.expired,
    }
    with translation.override(learner_language(enrollment)):
        response = render(request, "progress/unsubscribe.html", context, status=410 if link.expired else 200)
    return response
