"""Where a learner is signed in: a `UserSession` row per signed-in browser, and signing the others out.

- Log-in (`user_logged_in`) writes the row for the new session key and notes the time in the session.
- `SessionActivityMiddleware` touches it at most once every TOUCH_EVERY, using that note in the session
  (already loaded for authentication) to decide, so an ordinary request costs no extra query. A session
  without a row (signed in before rows were kept, or whose key was cycled by a password change) gets one
  on its next touch.
- Log-out (`user_logged_out`) deletes the row. A row whose session expired is ignored and pruned.
- Signing out deletes sessions through the configured engine's SessionStore, so the project's engine
  (progress/sessions.py, which reads the row to find a session's user) and Django's `db` and `cached_db`
  (which also keeps a cache entry) all forget the session at once. A row is only a pointer: whether a
  session is alive is always the session table's word, which these engines keep up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, user_logged_in, user_logged_out
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from progress.models import UserSession

TOUCH_EVERY = timedelta(minutes=1)
# When this session last touched its row, in whole seconds since the epoch.
SEEN_KEY = "_progress_seen"
MAX_USER_AGENT = UserSession._meta.get_field("user_agent").max_length or 300


def session_store(key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=key)


def touch(request: HttpRequest) -> None:
    """Write (or refresh) the row of this request's session, and note the time in the session."""
    key = request.session.session_key
    if key is None or not request.user.is_authenticated:
        return
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": request.user,
            "last_seen": now,
            "user_agent": request.headers.get("User-Agent", "")[:MAX_USER_AGENT],
        },
    )
    request.session[SEEN_KEY] = int(now.timestamp())


@receiver(user_logged_in, dispatch_uid="progress.signed_in.logged_in")
def _logged_in(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.user = user
        touch(request)


@receiver(user_logged_out, dispatch_uid="progress.signed_in.logged_out")
def _logged_out(sender: type[User], request: HttpRequest | None, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key is not None:
        UserSession.objects.filter(session_key=key).delete()


class SessionActivityMiddleware:
    """Keeps `UserSession.last_seen` within TOUCH_EVERY of the session's last request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The session marker first: an anonymous visit never loads the user for this.
        if SESSION_KEY in request.session:
            seen = request.session.get(SEEN_KEY)
            age = time.time() - seen if isinstance(seen, int) else None
            if age is None or not 0 <= age < TOUCH_EVERY.total_seconds():
                touch(request)
        return self.get_response(request)


def _alive() -> Exists:
    return Exists(Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=timezone.now()))


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The user's live sessions, most recently seen first; rows of sessions that ended are pruned."""
    UserSession.objects.filter(user=user).exclude(_alive()).delete()
    return UserSession.objects.filter(user=user).order_by("-last_seen")


def sign_out(user: User, *, keep: str | None = None) -> int:
    """End every session of `user` except `keep` (a session key); returns how many were ended."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        session_store().delete(key)
    rows.delete()
    return len(keys)
