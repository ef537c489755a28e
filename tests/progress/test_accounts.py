"""Accounts: sign-up, log-in and log-out, password change and reset; bad input is a form error, never a 500,
and no `next` sends anybody to another site."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from progress.models import LearnerProfile
from tests.progress.helpers import OFFSITE

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SIGNUP = {
    "username": "carol",
    "email": "carol@example.com",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}


def anonymous() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_it_signs_up_confirms_the_address_by_email_then_logs_in_and_goes_to_enrollment(client: Client) -> None:
    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    user = User.objects.get(username="carol")
    assert user.email == "carol@example.com"
    assert user.check_password(SIGNUP["password1"])
    assert user.is_active is False  # until the address is confirmed
    assert "_auth_user_id" not in client.session
    [message] = mail.outbox
    assert message.to == ["carol@example.com"]
    link = re.search(r"https?://\S+(/accounts/confirm/\S+/)", str(message.body))
    assert link, message.body

    confirmed = client.get(link.group(1))

    assert (confirmed.status_code, confirmed["Location"]) == (302, "/accounts/login/")
    user.refresh_from_db()
    assert user.is_active is True
    logged_in = client.post("/accounts/login/", {"username": "carol", "password": SIGNUP["password1"]}, follow=True)
    assert logged_in.redirect_chain[-1][0] == "/enroll/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_signup_creates_a_profile_in_the_language_of_the_page(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    client.post("/accounts/signup/", SIGNUP)

    assert LearnerProfile.objects.get(user__username="carol").language == "en"


@pytest.mark.django_db
def test_signup_with_a_registered_address_answers_like_a_new_one_and_tells_the_owner(
    client: Client, alice: User
) -> None:
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "ALICE@example.com"})

    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/done/")
    assert not User.objects.filter(username="carol").exists()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "/accounts/password_reset/" in str(message.body)


@pytest.mark.django_db
def test_signup_refuses_mismatched_passwords(client: Client) -> None:
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-entirely"})

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="carol").exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_page_sends_a_logged_in_user_home(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get("/accounts/signup/")

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/enroll/"),
        ("post", "/enroll/"),
        ("get", "/settings/"),
        ("post", "/settings/"),
        ("post", "/enrollments/1/activate/"),
        ("get", "/accounts/password_change/"),
    ],
)
@pytest.mark.django_db
def test_learner_pages_send_anonymous_visitors_to_log_in(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_login_page_renders_with_links_to_signup_and_reset(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'href="/accounts/signup/"' in body
    assert 'href="/accounts/password_reset/"' in body


@pytest.mark.django_db
def test_logout_is_a_post_that_ends_the_session(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_change_changes_the_password(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    alice.refresh_from_db()
    assert alice.check_password("another-long-passphrase-7")


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client: Client, alice: User) -> None:
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    match = re.search(r"(https?://\S+)/accounts/reset/(\S+)/", str(message.body))
    assert match, message.body
    # The link is built from SITE_URL, not from the Host header of the request.
    assert match.group(1) == settings.SITE_URL

    link = f"/accounts/reset/{match.group(2)}/"
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password("brand-new-passphrase-9")


@pytest.mark.django_db
def test_password_reset_link_works_only_once(client: Client, alice: User) -> None:
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    match = re.search(r"/accounts/reset/(\S+)/", str(mail.outbox[0].body))
    assert match
    page = client.get(f"/accounts/reset/{match.group(1)}/", follow=True)
    new = "brand-new-pass-9x"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    again = client.get(f"/accounts/reset/{match.group(1)}/", follow=True)

    assert again.context["validlink"] is False


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client: Client) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


# --- log-in: `next` stays on this site -----------------------------------------------------------------------


@pytest.mark.parametrize("target", OFFSITE)
def test_login_never_redirects_off_site(alice: User, target: str) -> None:
    response = anonymous().post(f"/accounts/login/?next={target}", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_a_same_site_next(alice: User) -> None:
    response = anonymous().post("/accounts/login/?next=/plan/", {"username": "alice", "password": PASSWORD})

    assert response["Location"] == "/plan/"


# --- sign-up: bad input is a form error, never a 500, and no account ------------------------------------------


def signup(**overrides: str) -> dict[str, str]:
    return SIGNUP | overrides


@pytest.mark.parametrize("field", ["username", "email", "password1", "password2"])
def test_signup_refuses_a_nul_character_in_any_field(field: str) -> None:
    response = anonymous().post("/accounts/signup/", signup(**{field: "zed\x00x"}))

    assert response.status_code == 200
    assert not User.objects.exists()
    assert not LearnerProfile.objects.exists()


@pytest.mark.parametrize("email", ["ALICE@EXAMPLE.COM", "  alice@example.com  ", "Alice@Example.com"])
def test_signup_makes_no_second_account_for_an_address_in_another_case_or_with_spaces(alice: User, email: str) -> None:
    response = anonymous().post("/accounts/signup/", signup(email=email))

    assert response.status_code == 302
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


# --- password reset: bad input, and no hint whether an address has an account -------------------------------


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
