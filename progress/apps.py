from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Learner progress")

    def ready(self) -> None:
        # Connects the log-in receiver that copies the learner's language into the session.
        from progress import language  # noqa: F401
