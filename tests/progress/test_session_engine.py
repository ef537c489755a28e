"""The session engine (progress.sessions): a signed-in request reads its session, its user and the learner's
enrollments in one query, and everything Django's own engine and `get_user` decide still holds: an expired
session is no session, a changed password signs the session out, signed-out sessions stay out, and the user
rows read with a session are used only for the user that session itself names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings
from time_machine import TimeMachineFixture

import progress.auth
from curriculum.models import Plan
from progress.access import learner_enrollments
from progress.models import Enrollment, UserSession
from progress.sessions import SESSION_AND_USER, SessionStore, _session_rows
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

PAGE = "/settings/"  # a learner page that needs the user and their enrollments
PASSWORD = "correct-horse-battery"
NOON = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # noon in Shanghai, the day after the plan's start


def sqls(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def is_session_and_user(sql: str) -> bool:
    """The engine's one query: the session row, its `UserSession` pointer, the user and their enrollments."""
    return all(t in sql for t in ('"django_session"', '"progress_usersession"', '"auth_user"', '"progress_enrollment"'))


def is_user_alone(sql: str) -> bool:
    """The backend's own query for a user (progress.access.user_with_enrollments)."""
    return 'FROM "auth_user" LEFT OUTER JOIN "progress_enrollment"' in sql


@pytest.fixture
def user_loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """How LearnerBackend built each user: ("session", id) from rows the session brought, ("query", id) by a
    query of its own."""
    loads: list[tuple[str, int]] = []
    from_rows, by_query = progress.auth.user_from_rows, progress.auth.user_with_enrollments

    def user_from_rows(rows: Any) -> User:
        user = from_rows(rows)
        loads.append(("session", user.pk))
        return user

    def user_with_enrollments(user_id: int) -> User | None:
        loads.append(("query", user_id))
        return by_query(user_id)

    monkeypatch.setattr(progress.auth, "user_from_rows", user_from_rows)
    monkeypatch.setattr(progress.auth, "user_with_enrollments", user_with_enrollments)
    return loads


def get(client: Client, url: str = PAGE) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, sqls(ctx)


def signed_out(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- one query for the session and the user ------------------------------------------------------------------


def test_a_signed_in_page_reads_the_session_and_the_user_in_one_query(
    alice_client: Client, alice: User, enrollment: Enrollment, user_loads: list[tuple[str, int]]
) -> None:
    """The round trip every signed-in page starts with: the session and the user (with the enrollments the
    navigation reads) come together, and the backend builds the user from those rows."""
    response, queries = get(alice_client)
    assert response.status_code == 200
    assert is_session_and_user(queries[0]), queries[0]
    # Neither the session nor the user is read again: the backend built the user from the first query's rows.
    assert not any('"django_session"' in sql or '"auth_user"' in sql for sql in queries[1:])
    assert user_loads == [("session", alice.pk)]
    user = response.wsgi_request.user
    assert user.pk == alice.pk
    assert [e.pk for e in learner_enrollments(response.wsgi_request).all] == [enrollment.pk]


def test_the_compiled_query_returns_the_orms_rows(alice_client: Client, enrollment: Enrollment, plan: Plan) -> None:
    """Compiled once per connection with a marker for the key (progress.compiled): the rows must be the ones
    the QuerySet itself returns, one per enrollment."""
    Enrollment.objects.create(user=enrollment.user, plan=make_plan(slug="second", days=2), start_date=START)
    key = alice_client.session.session_key
    assert key is not None
    rows = SESSION_AND_USER.rows(key)
    assert rows == list(_session_rows(key))
    assert len(rows) == 2 and rows[0][0] == Session.objects.get(session_key=key).session_data
    assert SESSION_AND_USER.rows("no-such-key") == []


def test_a_visit_without_a_session_cookie_reads_no_session(client: Client, db: None) -> None:
    """Anonymous visitors cost the database nothing: without a key there is nothing to look up."""
    response, queries = get(client, "/")
    assert signed_out(response)
    assert queries == []


# --- what Django's engine and get_user decide still holds ---------------------------------------------------


@pytest.mark.parametrize("ago", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
def test_an_expired_session_is_signed_out_without_using_its_user(
    time_machine: TimeMachineFixture,
    alice: User,
    enrollment: Enrollment,
    user_loads: list[tuple[str, int]],
    ago: timedelta,
) -> None:
    """An expired session is no session, though its row is still there: its user's rows are not used. Expired
    at this very instant counts as expired, as in Django's engine (a session is alive while expire_date > now)."""
    time_machine.move_to(NOON, tick=False)
    client = logged_in(alice)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - ago)
    response, queries = get(client)
    assert signed_out(response)
    assert response.wsgi_request.user.is_anonymous
    assert user_loads == []  # the rows the query brought were not made into a user
    assert not any(is_user_alone(sql) for sql in queries)


def test_a_session_without_its_row_falls_back_and_gets_it_back_at_the_next_touch(
    time_machine: TimeMachineFixture, alice: User, enrollment: Enrollment, user_loads: list[tuple[str, int]]
) -> None:
    """A session signed in before its row was written (or whose key changed): read as Django's db engine
    reads it, with the user by the backend's own query, until SessionActivityMiddleware writes the row."""
    time_machine.move_to(NOON, tick=False)
    client = logged_in(alice)
    key = client.session.session_key
    get(client)
    response, with_row = get(client)
    assert response.status_code == 200
    UserSession.objects.filter(session_key=key).delete()
    user_loads.clear()

    time_machine.move_to(NOON + timedelta(seconds=10), tick=False)  # within a minute of the last touch
    response, without_row = get(client)
    assert response.status_code == 200 and response.wsgi_request.user.pk == alice.pk
    # The engine's query finds no row; then Django's session query and the backend's user query: two more.
    assert len(without_row) == len(with_row) + 2
    assert is_session_and_user(without_row[0])
    assert '"django_session"' in without_row[1] and '"progress_usersession"' not in without_row[1]
    assert is_user_alone(without_row[2])
    assert user_loads == [("query", alice.pk)]
    assert not UserSession.objects.filter(session_key=key).exists()

    time_machine.move_to(NOON + timedelta(seconds=70), tick=False)
    assert client.get(PAGE).status_code == 200
    assert UserSession.objects.get(session_key=key).user_id == alice.pk
    user_loads.clear()
    response, again = get(client)
    assert response.status_code == 200
    assert len(again) == len(with_row)
    assert user_loads == [("session", alice.pk)]


def test_a_row_pointing_at_another_user_never_signs_in_as_them(
    alice_client: Client, alice: User, bob: User, enrollment: Enrollment, user_loads: list[tuple[str, int]]
) -> None:
    """The session's own signed data names its user; a `UserSession` row saying otherwise (a bug, a hand-edited
    row) is not believed: the request is alice's, with alice's enrollments, loaded by the backend's query."""
    Enrollment.objects.create(user=bob, plan=make_plan(slug="bobs", days=3), start_date=START)
    key = alice_client.session.session_key
    UserSession.objects.filter(session_key=key).update(user=bob)
    response, queries = get(alice_client)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == alice.pk
    assert {e.user_id for e in learner_enrollments(response.wsgi_request).all} == {alice.pk}
    assert user_loads == [("query", alice.pk)]
    html = response.content.decode()
    assert "Plan bobs" not in html and "Plan test-plan" in html
    assert sum(is_user_alone(sql) for sql in queries) == 1


def test_a_password_changed_elsewhere_signs_the_session_out(
    alice_client: Client, alice: User, enrollment: Enrollment
) -> None:
    """Django's session hash check still runs on the user the session query brought."""
    key = alice_client.session.session_key
    assert alice_client.get(PAGE).status_code == 200
    alice.set_password("another-long-passphrase")
    alice.save()
    response = alice_client.get(PAGE)
    assert signed_out(response)
    assert response.wsgi_request.user.is_anonymous
    assert not Session.objects.filter(session_key=key).exists()  # flushed, as Django does


def test_signing_out_the_other_sessions_ends_them(alice: User, enrollment: Enrollment) -> None:
    """The sign-out feature deletes the other sessions through this engine: their next request is signed out,
    while the session that asked stays signed in."""
    laptop, phone = (Client() for _ in range(2))
    for browser in (laptop, phone):
        assert browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
        assert browser.get(PAGE).status_code == 200
    phone_key = phone.session.session_key
    laptop.post("/account/sessions/")
    assert signed_out(phone.get(PAGE))
    assert laptop.get(PAGE).status_code == 200
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not UserSession.objects.filter(session_key=phone_key).exists()


# --- decoded session data, remembered ------------------------------------------------------------------------


def test_each_decode_of_the_same_data_is_a_dict_of_its_own() -> None:
    """Decoded data is remembered, but a caller changing its session must not change anyone else's."""
    data = {"_auth_user_id": "7", "_progress_seen": 1_772_400_000, "flag": True}
    encoded = SessionStore().encode(data)
    first, second = SessionStore().decode(encoded), SessionStore().decode(encoded)
    assert first == second == data
    assert first is not second
    first["_auth_user_id"] = "8"
    assert second["_auth_user_id"] == "7"
    assert SessionStore().decode(encoded) == data


def test_data_holding_a_mutable_value_is_decoded_afresh() -> None:
    """A list inside would be shared by every copy of a remembered dict: such data is never remembered."""
    encoded = SessionStore().encode({"ids": [1, 2]})
    first = SessionStore().decode(encoded)
    first["ids"].append(3)
    assert SessionStore().decode(encoded) == {"ids": [1, 2]}


def test_data_signed_with_a_key_no_longer_in_use_decodes_to_nothing(settings: Settings) -> None:
    """Remembering never skips the signature check for a new secret: a rotated SECRET_KEY signs everyone out."""
    settings.SECRET_KEY = "the-first-secret-key-" + "x" * 40
    encoded = SessionStore().encode({"_auth_user_id": "7"})
    assert SessionStore().decode(encoded) == {"_auth_user_id": "7"}  # remembered under the first key
    settings.SECRET_KEY = "the-second-secret-key-" + "y" * 40
    assert SessionStore().decode(encoded) == {}
