from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Learner progress")

    def ready(self) -> None:
        # Connects the log-in receivers: the one that copies the learner's language into the session, and
        # those that keep the list of signed-in sessions.
        from progress import language, signed_in  # noqa: F401
