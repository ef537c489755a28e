"""`manage.py export_plan SLUG`: a plan back to its document, on standard output, UTF-8."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.exporter import checked_export
from curriculum.models import Plan


class Command(BaseCommand):
    help = "Write a plan as a study-plan document to standard output (UTF-8), the format import_plan reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the plan's slug")

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"no plan with slug '{slug}' (plans: {known})")
        try:
            text, problem = checked_export(plan)
        except ValueError as exc:  # e.g. a month number outside 1..99 set in the admin
            raise CommandError(f"plan '{slug}' cannot be written as a document: {exc}") from None
        if problem:
            self.stderr.write(f"Warning: this export would not import again ({problem}); fix the plan in the admin.")
        out = self.stdout._out
        if out is sys.stdout and hasattr(out, "buffer"):
            # Bytes, so the document is UTF-8 whatever the terminal's locale says.
            out.flush()
            out.buffer.write(text.encode("utf-8"))
            out.buffer.flush()
        else:
            self.stdout.write(text, ending="")
