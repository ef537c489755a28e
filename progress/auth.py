"""The authentication backend: Django's ModelBackend, with the learner's enrollments loaded alongside.

Every signed-in request loads its user, and every learner page then reads the learner's enrollments (the
navigation, the active plan, the page's cache key). One compiled query does both (`access.user_with_enrollments`),
so a page found in the page cache costs one round trip to the database; the session engine
(progress.sessions) usually brings those rows with the session, in the same round trip.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from progress.access import user_from_rows, user_with_enrollments
from progress.sessions import signed_in_user_rows


class LearnerBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        rows = signed_in_user_rows(pk)
        user = user_from_rows(rows) if rows else user_with_enrollments(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
