"""Second QA pass: sign-up, log-in (with django-axes), password reset, the language switch, /healthz and
every `next=` parameter, tried with hostile input. Bad input gets a clear answer and changes nothing, never a
500, and no `next` sends anybody to another host.

The NUL and overlong cases matter on PostgreSQL (it refuses NUL in text and enforces varchar lengths), so run
this file there too: DATABASE_URL=postgres://... uv run pytest tests -k qa2
"""

from __future__ import annotations

from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from progress.models import Enrollment, LearnerProfile
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
OFFSITE = ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "https:evil.example"]


def anonymous() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def alice_client(alice: User) -> Client:
    LearnerProfile.objects.create(user=alice, language="en")
    Enrollment.objects.create(user=alice, plan=make_plan(days=3), start_date=date.today())
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


# --- log-in and django-axes ------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_login_with_an_overlong_username_is_refused_not_a_500(alice: User, length: int) -> None:
    # AuthenticationForm checks no username length, so the name reached axes, which keeps it in a
    # varchar(255): PostgreSQL refused the INSERT and the login page answered 500.
    response = anonymous().post("/accounts/login/", {"username": "x" * length, "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_an_overlong_username_still_counts_towards_the_lockout(alice: User, settings) -> None:
    client = anonymous()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "y" * 300, "password": "wrong"})

    assert response.status_code == 429
    assert AccessAttempt.objects.count() == 1


def test_the_admin_login_refuses_an_overlong_username_too(alice: User) -> None:
    response = anonymous().post("/admin/login/", {"username": "x" * 300, "password": "wrong"})

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_login_with_a_nul_character_is_a_form_error(alice: User, field: str) -> None:
    data = {"username": "alice", "password": PASSWORD, field: "ali\x00ce"}

    response = anonymous().post("/accounts/login/", data)

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode() or "空字符" in response.content.decode()
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("target", OFFSITE)
def test_login_never_redirects_off_site(alice: User, target: str) -> None:
    response = anonymous().post(f"/accounts/login/?next={target}", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_a_same_site_next(alice: User) -> None:
    response = anonymous().post("/accounts/login/?next=/plan/", {"username": "alice", "password": PASSWORD})

    assert response["Location"] == "/plan/"


# --- sign-up ---------------------------------------------------------------------------------------------


def signup(**overrides: str) -> dict[str, str]:
    return {
        "username": "zed",
        "email": "zed@example.com",
        "password1": "xk3-Long-pass-99",
        "password2": "xk3-Long-pass-99",
    } | overrides


@pytest.mark.parametrize("field", ["username", "email", "password1", "password2"])
def test_signup_refuses_a_nul_character_in_any_field(field: str) -> None:
    response = anonymous().post("/accounts/signup/", signup(**{field: "zed\x00x"}))

    assert response.status_code == 200
    assert not User.objects.exists()
    assert not LearnerProfile.objects.exists()


@pytest.mark.parametrize("email", ["ALICE@EXAMPLE.COM", "  alice@example.com  ", "Alice@Example.com"])
def test_signup_refuses_an_address_already_used_in_another_case_or_with_spaces(alice: User, email: str) -> None:
    response = anonymous().post("/accounts/signup/", signup(email=email))

    assert response.status_code == 200
    assert User.objects.count() == 1


def test_signup_refuses_a_username_differing_only_in_case(alice: User) -> None:
    response = anonymous().post("/accounts/signup/", signup(username="ALICE"))

    assert response.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.parametrize("username", ["z" * 151, "z" * 100_000])
def test_signup_refuses_a_very_long_username(username: str) -> None:
    response = anonymous().post("/accounts/signup/", signup(username=username))

    assert response.status_code == 200
    assert not User.objects.exists()


def test_signup_keeps_the_address_without_surrounding_spaces() -> None:
    response = anonymous().post("/accounts/signup/", signup(email="  zed@example.com "))

    assert response.status_code == 302
    assert User.objects.get().email == "zed@example.com"


# --- password reset --------------------------------------------------------------------------------------


def test_a_reset_for_an_unknown_and_a_known_address_look_the_same(alice: User) -> None:
    unknown = anonymous().post("/accounts/password_reset/", {"email": "nobody@example.com"})
    known = anonymous().post("/accounts/password_reset/", {"email": "ALICE@example.com"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1


def test_a_reset_with_a_nul_character_is_a_form_error(alice: User) -> None:
    response = anonymous().post("/accounts/password_reset/", {"email": "alice\x00@example.com"})

    assert response.status_code == 200
    assert mail.outbox == []


def test_a_garbled_reset_link_is_refused_without_an_error() -> None:
    response = anonymous().get("/accounts/reset/%00/x-y/")

    assert response.status_code == 200
    assert 'name="new_password1"' not in response.content.decode()


# --- the language switch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["xx", "en\x00", "EN", "x" * 10_000, ""])
def test_an_unknown_language_code_changes_nothing(alice_client: Client, alice: User, code: str) -> None:
    response = alice_client.post("/language/", {"language": code, "next": "/plan/"})

    assert response.status_code == 302
    assert LearnerProfile.objects.get(user=alice).language == "en"


@pytest.mark.parametrize("target", OFFSITE)
def test_the_language_switch_never_redirects_off_site(alice_client: Client, target: str) -> None:
    by_next = alice_client.post("/language/", {"language": "en", "next": target})
    by_referer = alice_client.post("/language/", {"language": "en"}, headers={"referer": target})

    assert by_next["Location"] == "/"
    assert by_referer["Location"] == "/"


def test_the_language_switch_needs_the_csrf_token(alice: User) -> None:
    LearnerProfile.objects.create(user=alice, language="en")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post("/language/", {"language": "zh-hans"}).status_code == 403
    assert LearnerProfile.objects.get(user=alice).language == "en"


# --- the calendar-token reset's next ---------------------------------------------------------------------


@pytest.mark.parametrize("target", OFFSITE)
def test_the_calendar_token_reset_never_redirects_off_site(alice_client: Client, target: str) -> None:
    in_query = alice_client.post(f"/settings/calendar-token/?next={target}")
    in_form = alice_client.post("/settings/calendar-token/", {"next": target})

    assert in_query["Location"] == "/settings/"
    assert in_form["Location"] == "/settings/"


# --- /healthz --------------------------------------------------------------------------------------------


def test_healthz_answers_head_for_monitors_that_probe_with_it(settings) -> None:
    settings.REDIS_URL = ""

    response = anonymous().head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options", "trace"])
def test_healthz_refuses_other_methods_and_says_nothing_more(method: str) -> None:
    response = getattr(anonymous(), method)("/healthz")

    assert response.status_code == 405
    assert response.content == b""


def test_healthz_names_no_host_version_or_setting(settings) -> None:
    settings.REDIS_URL = ""

    response = anonymous().get("/healthz")

    assert response.json() == {"database": "ok"}
    assert "Server" not in response.headers
