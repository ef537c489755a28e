"""The learner's signed-in sessions: which browsers, when last seen, and signing out all the others."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from progress.access import FORM, AuthenticatedHttpRequest, signed_in
from progress.devices import describe_device
from progress.signed_in import active_sessions, sign_out, touch


@signed_in(FORM)
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        ended = sign_out(request.user, keep=request.session.session_key)
        messages.success(
            request,
            ngettext("Signed out %(count)s other session.", "Signed out %(count)s other sessions.", ended)
            % {"count": ended},
        )
        return redirect("progress:sessions")
    # This browser is always listed, even if its key changed since the last touch (a password change).
    touch(request)
    rows = [
        {
            "row": row,
            "device": describe_device(row.user_agent),
            "current": row.session_key == request.session.session_key,
        }
        for row in active_sessions(request.user)
    ]
    return render(request, "progress/sessions.html", {"sessions": rows, "others": sum(not r["current"] for r in rows)})
