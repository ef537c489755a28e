"""Correlated aggregate subqueries: a per-row figure as one column of the outer query.

A COUNT over a join multiplies with every other join on the same query (two counts on one list become
products of each other); a correlated subquery per figure keeps each one exact and the outer query a single
statement. Used by the curriculum admin's lists, a learner's per-day counts and the reminders' due query.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Aggregate, Count, Max, Subquery, Value
from django.db.models.functions import Coalesce


def _subquery(queryset: models.QuerySet[Any], group_by: str, aggregate: Aggregate) -> Coalesce:
    figure = queryset.order_by().values(group_by).annotate(n=aggregate).values("n")
    return Coalesce(Subquery(figure, output_field=models.IntegerField()), Value(0))


def count_subquery(queryset: models.QuerySet[Any], group_by: str) -> Coalesce:
    """How many rows of `queryset` (filtered on an OuterRef reached through `group_by`) belong to the outer
    row; 0 when none do."""
    return _subquery(queryset, group_by, Count("pk"))


def max_subquery(queryset: models.QuerySet[Any], group_by: str, field: str) -> Coalesce:
    """The highest `field` among the outer row's rows of `queryset`, as `count_subquery`; 0 when none."""
    return _subquery(queryset, group_by, Max(field))
