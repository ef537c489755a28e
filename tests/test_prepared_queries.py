"""Compiled queries on PostgreSQL run on a server-binding cursor, so psycopg prepares them and the server
stops planning them; their rows are the ORM's own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.access import _USER_AND_ENROLLMENTS, _user_rows
from progress.models import Enrollment
from tests.factories import make_plan
from tests.progress.helpers import START

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


@pytest.fixture
def learner(alice: User) -> User:
    Enrollment.objects.create(user=alice, plan=make_plan(), start_date=START, time_zone="Asia/Shanghai")
    return alice


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_rows_equal_the_orms(learner: User) -> None:
    assert _USER_AND_ENROLLMENTS.rows(learner.pk) == list(_user_rows(learner.pk))


def test_the_query_is_prepared_on_the_server_at_first_use(learner: User) -> None:
    assert not any('LEFT OUTER JOIN "progress_enrollment"' in s for s in prepared_statements())
    _USER_AND_ENROLLMENTS.rows(learner.pk)
    assert sum('LEFT OUTER JOIN "progress_enrollment"' in s for s in prepared_statements()) == 1
    _USER_AND_ENROLLMENTS.rows(learner.pk)
    assert sum('LEFT OUTER JOIN "progress_enrollment"' in s for s in prepared_statements()) == 1


def test_not_prepared_when_switched_off(learner: User, settings) -> None:
    """For a pooler in transaction mode that cannot keep prepared statements."""
    settings.DB_PREPARE = False
    assert _USER_AND_ENROLLMENTS.rows(learner.pk) == list(_user_rows(learner.pk))
    assert not any('LEFT OUTER JOIN "progress_enrollment"' in s for s in prepared_statements())


def test_the_queries_still_show_in_djangos_query_log(learner: User) -> None:
    """Query-count tests and the debug toolbar see them like any other query."""
    with CaptureQueriesContext(connection) as ctx:
        _USER_AND_ENROLLMENTS.rows(learner.pk)
    assert len(ctx.captured_queries) == 1


def test_timestamps_come_back_aware_as_from_the_orm(learner: User) -> None:
    row = _USER_AND_ENROLLMENTS.rows(learner.pk)[0]
    joined = row[[f.attname for f in User._meta.concrete_fields].index("date_joined")]
    assert joined == User.objects.get(pk=learner.pk).date_joined
    assert joined.utcoffset() is not None
