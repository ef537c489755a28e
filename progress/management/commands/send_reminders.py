"""Send the reminders due now, in this process: the same fan-out and batches as the Celery worker, no broker.

For cron users (`*/5 * * * * uv run manage.py send_reminders`) and the quickstart.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from progress.reminders.fanout import fan_out
from progress.reminders.sending import send_batch


class Command(BaseCommand):
    help = "Send the daily reminder emails that are due now, without a Celery worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-wait", action="store_true", help="Do not wait to retry transient SMTP failures; leave them queued."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # fan_out() has committed its rows when it returns, so its batches can be sent right here.
        fan = fan_out(enqueue=lambda ids: None)
        queue: list[tuple[float, list[int]]] = [(0.0, ids) for ids in fan.batches]
        sent = failed = 0
        while queue:
            queue.sort(key=lambda item: item[0])
            when, ids = queue.pop(0)
            if options["no_wait"] and when > 0:
                continue
            time.sleep(max(0.0, when - time.monotonic()) if when else 0)
            result = send_batch(ids)
            sent += len(result.sent)
            failed += len(result.failed)
            if result.retry:
                queue.append((time.monotonic() + result.retry_delay, result.retry))
            if result.recheck:
                queue.append((time.monotonic() + result.recheck_delay, result.recheck))
        self.stdout.write(f"{sent} reminders sent, {failed} failed ({fan.claimed} due, {fan.swept} picked up again)")
