"""`manage.py import_plan PATH --slug SLUG [--replace] [--unpublished]`: a plan document into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from curriculum.document import ParseError, parse_bytes, render
from curriculum.importer import PlanImportError, import_document


class Command(BaseCommand):
    help = (
        "Import a study-plan document (the format of curriculum/plans/multimodal-90-days.zh.md) as one plan, "
        "in one transaction. With --replace an existing plan is updated in place and learners' progress is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the document, UTF-8 Markdown")
        parser.add_argument("--slug", required=True, help="the plan's slug, e.g. multimodal-90-days")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="update the existing plan with this slug in place; refused if it would remove learners' progress",
        )
        parser.add_argument("--unpublished", action="store_true", help="store the plan unpublished")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the document and report what the import would do (with --replace: every day, session "
            "and task added, removed, reworded or moved, with learners' progress on each; which tasks it links "
            "to which resources), then roll back",
        )

    def handle(
        self, *args: Any, path: str, slug: str, replace: bool, unpublished: bool, dry_run: bool, **options: Any
    ) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the document: {exc.strerror or exc}") from None
        try:
            doc = parse_bytes(data)
        except ParseError as exc:
            raise CommandError(f"{path}:{exc.line}: {exc.message}") from None
        try:
            with transaction.atomic():
                result = import_document(doc, slug, replace=replace, published=False if unpublished else None)
                if dry_run:
                    transaction.set_rollback(True)
        except PlanImportError as exc:
            where = f"{path}:{exc.line}" if exc.line else path
            raise CommandError(f"{where}: {exc.message}") from None
        self.stdout.write(f"Dry run, nothing was written. {result.summary()}" if dry_run else result.summary())
        if dry_run:
            for line in result.diff():
                self.stdout.write(f"  {line}")
            self.stdout.write(result.citation_report())
        text = data.decode("utf-8").removeprefix("\ufeff").removesuffix("\n")
        if render(doc) != text:
            self.stderr.write(
                f"Note: {path} is not in the standard layout (one blank line between blocks, LF line ends); "
                f"export_plan {slug} will write it in that layout."
            )
