"""Positions and numbers of ordered rows, and how rows are reordered under their unique constraints.

Positions (and phase, week and day numbers) are small numbers, typed by hand in the admin or counted by the
importer, each unique within its parent. Reordering rows one by one would meet that constraint halfway (a
swap puts two rows on one spot for a moment), so the rows that move are first parked on temporary positions
above any real one; the admin's ordered inlines and the importer both do it with `park`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F

# The highest position or number a plan may use; parked rows sit at PARK + their own, which stays below the
# 32767 a PostgreSQL smallint holds.
MAX_POSITION = 9999
PARK = 16000


def park(rows: models.QuerySet[Any], field: str = "position") -> None:
    """Move `rows` to PARK + their own `field` in one UPDATE: unique within each parent, as before, and
    clear of every real position, so the rows can then be saved on their new places in any order."""
    rows.update(**{field: F(field) + PARK})
