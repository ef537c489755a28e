"""The session engine: Django's database sessions, read together with the signed-in learner.

Every signed-in request reads its session, then its user (with the learner's enrollments, see
`progress.access.user_with_enrollments`): two round trips, to the cache or the database and then to the
database, before the view starts. This engine reads the session row and that user in ONE query. The session
table does not say whose a session is (the user id is inside the signed session data), but `UserSession`
(progress/signed_in.py), written at log-in, does: the query starts from it, takes the session's data only
while the session row is alive, and joins the user it points at.

The user rows are only a suggestion to the authentication backend: Django's `get_user` still decodes the
session, checks the backend and the session hash against the user's password, exactly as with any engine;
`progress.auth.LearnerBackend` takes the rows only for the user id the session itself names. A session
without a `UserSession` row (anonymous, or signed in before its key changed and not yet touched again) is
read as Django's `db` engine reads it, and its user, if any, by the backend's own query.

Saving, cycling keys, deleting and `clearsessions` are Django's `db` engine's, unchanged: the session table
stays the one place that says whether a session is alive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from progress.access import user_with_enrollments_columns
from progress.compiled import TEXT_MARKER, CompiledQuery
from progress.models import LearnerProfile, UserSession


def _session_rows(key: str) -> QuerySet[UserSession, tuple[object, ...]]:
    """The session's data and expiry (NULL when there is no such session), then the columns of its user, each
    of their enrollments and its plan, and whether the enrollment is the active one: one row per enrollment,
    newest first, as `access.user_with_enrollments` reads them; no row without a `UserSession` row.

    The expiry is compared in Python, with Django's clock, as Django's engine compares it in its query: the
    compiled SQL can then depend on the key alone (progress.compiled)."""
    session = Session.objects.filter(session_key=OuterRef("session_key"))
    active = LearnerProfile.objects.filter(
        user_id=OuterRef("user_id"), active_enrollment=OuterRef("user__enrollments__pk")
    )
    return (
        UserSession.objects.filter(session_key=key)
        .annotate(
            session_data=Subquery(session.values("session_data")[:1]),
            session_expires=Subquery(session.values("expire_date")[:1]),
            enrollment_is_active=Exists(active),
        )
        .values_list(
            "session_data",
            "session_expires",
            "user_id",
            *user_with_enrollments_columns("user__"),
            "enrollment_is_active",
        )
        .order_by("-user__enrollments__created_at", "-user__enrollments__pk")
    )


# Compiled once per connection (progress.compiled), as every signed-in request makes it; public for the
# benchmark, which explains it (scripts/bench/scale.py).
SESSION_AND_USER = CompiledQuery("session-and-user", _session_rows, markers=(TEXT_MARKER,))


# Decoded session data by (secret, fallback secrets, salt, encoded data): at most _DECODED_MAX of them,
# about 300 bytes each.
_DECODED: dict[tuple[str, tuple[str | bytes, ...], str, bytes | str], dict[str, Any]] = {}
_DECODED_MAX = 10_000
_DECODED_LOCK = threading.Lock()
_PLAIN = frozenset({str, int, float, bool, type(None)})


class SessionStore(db.SessionStore):
    """Django's `db` session engine, loading the signed-in user along with the session (see the module)."""

    # (user id, that user's rows) when the load found the session's user: read by `signed_in_user_rows`.
    _user_rows: tuple[int, list[tuple[Any, ...]]] | None = None

    def load(self) -> dict[str, Any]:
        key = self.session_key
        if key is None:
            return {}
        rows = SESSION_AND_USER.rows(key)
        if not rows:  # no pointer to its user: read as Django's db engine does
            return super().load()
        encoded, expires, user_id = rows[0][:3]
        if encoded is None or expires <= timezone.now():  # as Django's engine: a new session from here on
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(encoded)
        if data.get(SESSION_KEY) == str(user_id):
            self._user_rows = (user_id, [row[3:] for row in rows])
        return data

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        """Django's decoding (a signature check, base64, zlib, JSON), remembered for the data of the sessions
        seen lately: every request of a session reads the same data until it changes, and checking its
        signature each time cost more than the query that read it. Only a result of plain values (what the
        app and Django store: ids, hashes, times) is remembered, and each caller gets its own copy."""
        key = (settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS), self.key_salt, session_data)
        found = _DECODED.get(key)
        if found is not None:
            return dict(found)
        decoded: dict[str, Any] = super().decode(session_data)
        if decoded and all(type(value) in _PLAIN for value in decoded.values()):
            with _DECODED_LOCK:  # threaded workers: one eviction at a time
                if len(_DECODED) >= _DECODED_MAX:
                    del _DECODED[next(iter(_DECODED))]  # the oldest: dicts keep their insertion order
                _DECODED[key] = decoded
            return dict(decoded)
        return decoded

    def signed_in_user_rows(self, user_id: int) -> list[tuple[Any, ...]] | None:
        """The rows of user `user_id` read with this session, once: None if the load read none for them."""
        found, self._user_rows = self._user_rows, None
        return found[1] if found is not None and found[0] == user_id else None


# The session of the request whose user is being loaded, for `LearnerBackend.get_user` (which Django calls
# with a user id only): set around Django's `get_user` for that one call.
_LOADING: ContextVar[Any] = ContextVar("progress_session_loading", default=None)


def signed_in_user_rows(user_id: int) -> list[tuple[Any, ...]] | None:
    """For the authentication backend: the user's rows the request's session brought, if it brought them."""
    session = _LOADING.get()
    take: Callable[[int], list[tuple[Any, ...]] | None] | None = getattr(session, "signed_in_user_rows", None)
    return take(user_id) if take is not None else None


def get_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """Django's `get_user`, with the request's session at hand for the backend (see `signed_in_user_rows`)."""
    if not hasattr(request, "_cached_user"):
        token = _LOADING.set(getattr(request, "session", None))
        try:
            request._cached_user = django_get_user(request)  # type: ignore[attr-defined]
        finally:
            _LOADING.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class LearnerAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, loading the user (lazily, as Django does) through `get_user` above."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]
