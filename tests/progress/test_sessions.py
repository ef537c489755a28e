"""A learner sees the browsers they are signed in on (device, last seen) and can sign out all the others, with
the app's session engine (progress.sessions, which reads the user along with the session) and Django's own db
engine alike: a `UserSession` row is only a pointer, and either engine keeps the session table's word."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from progress.devices import describe_device
from progress.models import UserSession

pytestmark = pytest.mark.usefixtures("english_ui")

PASSWORD = "correct-horse-battery"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
EDGE_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
    "Safari/537.36 Edg/131.0"
)


@pytest.fixture(params=["progress.sessions", "django.contrib.sessions.backends.db"])
def engine(request: pytest.FixtureRequest, settings: Settings) -> str:
    settings.SESSION_ENGINE = request.param
    return request.param


def signed_in_with(user: User, user_agent: str) -> Client:
    """A browser that logged in through the log-in form, as a person does."""
    client = Client(headers={"User-Agent": user_agent})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/account/sessions/").status_code == 200


def row_writes(ctx: CaptureQueriesContext) -> list[str]:
    """The captured statements that write a `UserSession` row (progress.sessions reads one on every request)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "progress_usersession" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (CHROME_ANDROID, "Chrome on Android"),
        (EDGE_MAC, "Edge on macOS"),
        ("curl/8.5", "Unknown browser on an unknown system"),
        ("", "Unknown browser on an unknown system"),
    ],
)
def test_the_device_is_named_from_the_user_agent(agent: str, device: str) -> None:
    assert describe_device(agent) == device


def test_the_page_lists_every_signed_in_browser_and_marks_this_one(engine: str, alice: User) -> None:
    laptop = signed_in_with(alice, FIREFOX_WINDOWS)
    signed_in_with(alice, SAFARI_IPHONE)
    html = laptop.get("/account/sessions/").content.decode()
    assert "Firefox on Windows" in html and "Safari on iPhone" in html
    current = html.split('class="session current"')
    assert len(current) == 2 and "Firefox on Windows" in current[1].split("</li>")[0]
    assert "Sign out all other sessions" in html


def test_signing_out_the_others_ends_them_and_keeps_this_one(engine: str, alice: User, bob: User) -> None:
    laptop = signed_in_with(alice, FIREFOX_WINDOWS)
    phone = signed_in_with(alice, SAFARI_IPHONE)
    tablet = signed_in_with(alice, CHROME_ANDROID)
    bobs = signed_in_with(bob, EDGE_MAC)
    response = laptop.post("/account/sessions/", follow=True)
    assert "Signed out 2 other sessions." in response.content.decode()
    assert "You are not signed in anywhere else." in response.content.decode()
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert is_signed_in(laptop) and is_signed_in(bobs)  # bob's session is not alice's to end
    assert set(UserSession.objects.values_list("user__username", flat=True)) == {"alice", "bob"}
    assert UserSession.objects.filter(user=alice).count() == 1


def test_last_seen_is_touched_at_most_once_a_minute(engine: str, alice: User, time_machine) -> None:
    start = datetime(2026, 3, 2, 9, 0).astimezone()
    time_machine.move_to(start, tick=False)
    laptop = signed_in_with(alice, FIREFOX_WINDOWS)
    row = UserSession.objects.get(user=alice)
    assert row.last_seen == start
    time_machine.move_to(start + timedelta(seconds=50), tick=False)
    with CaptureQueriesContext(connection) as quiet:
        laptop.get("/settings/")
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    with CaptureQueriesContext(connection) as touching:
        laptop.get("/settings/")
    row.refresh_from_db()
    assert row.last_seen == start + timedelta(seconds=61)
    assert row_writes(quiet) == []
    assert len(row_writes(touching)) == 1


def test_logging_out_removes_the_row_and_ended_sessions_are_not_listed(engine: str, alice: User) -> None:
    laptop = signed_in_with(alice, FIREFOX_WINDOWS)
    phone = signed_in_with(alice, SAFARI_IPHONE)
    phone.post("/accounts/logout/")
    assert UserSession.objects.filter(user=alice).count() == 1
    tablet = signed_in_with(alice, CHROME_ANDROID)
    Session.objects.filter(session_key=tablet.session.session_key).delete()  # expired and cleared
    html = laptop.get("/account/sessions/").content.decode()
    assert "Chrome on Android" not in html and "Safari on iPhone" not in html
    assert UserSession.objects.filter(user=alice).count() == 1


def test_a_session_from_before_rows_were_kept_is_listed_on_its_next_request(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    UserSession.objects.all().delete()
    session = client.session
    del session["_progress_seen"]
    session.save()
    client.get("/settings/", headers={"User-Agent": FIREFOX_WINDOWS})
    assert UserSession.objects.get(user=alice).user_agent == FIREFOX_WINDOWS


def test_anonymous_visitors_are_sent_to_log_in(client: Client, db: None) -> None:
    assert client.post("/account/sessions/")["Location"].startswith("/accounts/login/")
