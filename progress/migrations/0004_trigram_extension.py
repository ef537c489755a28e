"""pg_trgm for search: similarity ranking of Chinese substrings (Chinese has no spaces between words).

TrigramExtension does nothing on other databases, so SQLite migrations still run.
"""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("progress", "0003_resources_week_notes_study_time")]

    operations = [TrigramExtension()]
