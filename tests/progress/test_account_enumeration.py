"""Password reset and sign-up give nothing away about which addresses have accounts: the reset request only
queues the address for the worker (the same work for a known and an unknown one), and both forms are throttled
per client and per address, whether or not the address is registered."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.celery import app
from progress.tasks import send_password_reset
from progress.throttle import attempts_exceeded

pytestmark = pytest.mark.django_db

RESET = "/accounts/password_reset/"
SIGNUP = "/accounts/signup/"


def signup_data(n: int, email: str) -> dict[str, str]:
    password = "a-long-unusual-passphrase-42"
    return {"username": f"user{n}", "email": email, "password1": password, "password2": password}


@pytest.fixture
def reset_queue() -> Iterator[str]:
    """Reset emails go, really queued (not run at once), to a queue of this test's own on the configured broker."""
    name = f"test-reset-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_routes = {"progress.tasks.send_password_reset": {"queue": name}}
    yield name
    app.conf.task_routes = None


def queued(name: str) -> list[list[str]]:
    """The argument lists of the tasks waiting in queue `name`, taken off it."""
    found: list[list[str]] = []
    with app.connection_for_read() as conn, conn.SimpleQueue(name) as queue:
        while True:
            try:
                message = queue.get(timeout=1)
            except queue.Empty:
                return found
            found.append(list(message.payload[0]))
            message.ack()


def test_the_reset_request_only_queues_the_address_and_the_worker_sends_the_email(
    alice: User, reset_queue: str
) -> None:
    answers = [Client().post(RESET, {"email": email}) for email in ("alice@example.com", "nobody@example.com")]

    assert [(a.status_code, a["Location"]) for a in answers] == [(302, "/accounts/password_reset/done/")] * 2
    assert mail.outbox == []  # nothing was sent inside the request
    tasks = queued(reset_queue)
    assert [args[0] for args in tasks] == ["alice@example.com", "nobody@example.com"]

    for args in tasks:
        send_password_reset(*args)

    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_known_and_an_unknown_address_cost_the_request_the_same_queries(alice: User) -> None:
    app.conf.task_always_eager = False  # the worker's lookup is not the request's
    app.conf.task_routes = {"progress.tasks.send_password_reset": {"queue": f"test-{uuid.uuid4().hex[:8]}"}}
    try:
        costs = []
        for email in ("alice@example.com", "nobody@example.com"):
            with CaptureQueriesContext(connection) as queries:
                Client().post(RESET, {"email": email})
            costs.append(len(queries))
    finally:
        app.conf.task_routes = None

    assert costs[0] == costs[1]


# --- throttles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com"])
def test_resets_for_one_address_are_throttled_whether_or_not_it_has_an_account(
    alice: User, settings, email: str
) -> None:
    settings.ACCOUNT_THROTTLE_PER_ADDRESS = 2
    answers = [Client().post(RESET, {"email": email}, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(3)]

    assert answers == [302, 302, 429]
    assert len(mail.outbox) == (2 if email.startswith("alice") else 0)


def test_the_address_counter_ignores_case_and_spaces(alice: User, settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_ADDRESS = 1
    Client().post(RESET, {"email": "alice@example.com"}, REMOTE_ADDR="198.51.100.1")

    assert Client().post(RESET, {"email": " ALICE@example.com "}, REMOTE_ADDR="198.51.100.2").status_code == 429


def test_one_client_trying_many_addresses_is_throttled(settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_CLIENT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")

    answers = [client.post(RESET, {"email": f"person{n}@example.com"}).status_code for n in range(4)]

    assert answers == [302, 302, 302, 429]
    assert Client(REMOTE_ADDR="203.0.113.10").post(RESET, {"email": "x@example.com"}).status_code == 302


def test_the_throttled_page_is_translated_and_says_to_wait(settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_CLIENT = 1
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(RESET, {"email": "a@example.com"})

    response = client.post(RESET, {"email": "b@example.com"})

    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_sign_ups_from_one_client_are_throttled(settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_CLIENT = 2
    answers = [
        Client(REMOTE_ADDR="203.0.113.9").post(SIGNUP, signup_data(n, f"new{n}@example.com")).status_code
        for n in range(3)
    ]

    assert answers[2] == 429
    assert User.objects.count() == 2


def test_sign_ups_naming_one_address_are_throttled(settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_ADDRESS = 2
    answers = [
        Client().post(SIGNUP, signup_data(n, "same@example.com"), REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]

    assert answers[2] == 429


def test_reading_the_forms_is_never_throttled(settings) -> None:
    settings.ACCOUNT_THROTTLE_PER_CLIENT = 1
    client = Client()

    assert [client.get(RESET).status_code for _ in range(3)] == [200, 200, 200]


def test_counts_are_shared_through_redis(settings, redis_url: str) -> None:
    settings.ACCOUNT_THROTTLE_PER_CLIENT = 2
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    request = Client().get(RESET).wsgi_request

    assert [attempts_exceeded("test", request, []) for _ in range(3)] == [False, False, True]


# --- sign-up: a registered address is accepted like a new one -------------------------------------------------


def confirm_path(body: str) -> str:
    match = re.search(r"(/accounts/confirm/\S+/)", body)
    assert match, body
    return match.group(1)


def test_sign_up_answers_the_same_for_a_new_and_a_registered_address(alice: User) -> None:
    new = Client().post(SIGNUP, signup_data(1, "new@example.com"))
    known = Client().post(SIGNUP, signup_data(2, "alice@example.com"))

    assert (
        (new.status_code, new["Location"]) == (known.status_code, known["Location"]) == (302, "/accounts/signup/done/")
    )
    assert [m.to for m in mail.outbox] == [["new@example.com"], ["alice@example.com"]]
    assert confirm_path(str(mail.outbox[0].body))
    assert "/accounts/confirm/" not in str(mail.outbox[1].body)
    assert "/accounts/password_reset/" in str(mail.outbox[1].body)  # the owner's way back in


def test_an_unconfirmed_account_cannot_log_in(client: Client) -> None:
    client.post(SIGNUP, signup_data(1, "new@example.com"))

    response = client.post("/accounts/login/", {"username": "user1", "password": "a-long-unusual-passphrase-42"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_second_sign_up_for_an_unconfirmed_address_sends_the_confirmation_again() -> None:
    Client().post(SIGNUP, signup_data(1, "new@example.com"))
    Client().post(SIGNUP, signup_data(2, "NEW@example.com"))

    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["new@example.com"]] * 2
    assert all(confirm_path(str(m.body)) for m in mail.outbox)


def test_the_confirmation_link_works_once_and_logs_nobody_in(client: Client) -> None:
    client.post(SIGNUP, signup_data(1, "new@example.com"))
    path = confirm_path(str(mail.outbox[0].body))

    first = client.get(path)
    again = client.get(path)

    assert first.status_code == 302
    assert "_auth_user_id" not in client.session
    assert again.status_code == 200
    assert "registration/signup_confirm_invalid.html" in [t.name for t in again.templates]


@pytest.mark.parametrize(
    "path", ["/accounts/confirm/MQ/bad-token/", "/accounts/confirm/%00/x-y/", "/accounts/confirm/zzzz/1-2/"]
)
def test_a_garbled_confirmation_link_is_refused_without_an_error(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert "registration/signup_confirm_invalid.html" in [t.name for t in response.templates]


def test_a_password_reset_token_cannot_confirm_an_account(client: Client) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    client.post(SIGNUP, signup_data(1, "new@example.com"))
    user = User.objects.get()
    uid = urlsafe_base64_encode(force_bytes(user.pk))

    client.get(f"/accounts/confirm/{uid}/{default_token_generator.make_token(user)}/")

    user.refresh_from_db()
    assert user.is_active is False


def test_the_sign_up_email_is_in_the_language_of_the_page() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    client.post(SIGNUP, signup_data(1, "new@example.com"))

    assert mail.outbox[0].subject == "Confirm your study plan account"
