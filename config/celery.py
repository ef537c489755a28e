"""Celery wired into config/: settings come from Django's, prefixed CELERY_.

Tasks live in each app's tasks.py (found by autodiscover_tasks). The beat schedule is static, in
settings.CELERY_BEAT_SCHEDULE (the reminders fan-out); start a worker with an embedded beat with
`celery -A config worker --beat` or progress.worker.start_worker_with_beat().
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
