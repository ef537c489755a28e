from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from curriculum.models import Session
from progress.language import SESSION_KEY
from progress.models import Enrollment, LearnerProfile
from tests.factories import make_plan
from tests.progress.helpers import OFFSITE


@pytest.fixture
def enrolled_alice(alice: User) -> User:
    Enrollment.objects.create(user=alice, plan=make_plan(days=2), start_date=date(2026, 3, 2))
    return alice


@pytest.fixture
def alice_client(client: Client, enrolled_alice: User) -> Client:
    """alice, enrolled, who chose English, logged in."""
    LearnerProfile.objects.create(user=enrolled_alice, language="en")
    client.force_login(enrolled_alice)
    return client


@pytest.mark.django_db
def test_anonymous_visitors_get_chinese_by_default(client: Client) -> None:
    body = client.get("/accounts/login/").content.decode()

    assert '<html lang="zh-hans">' in body
    assert "<h1>登录</h1>" in body
    assert "忘记密码？" in body


def test_a_learner_gets_chinese_by_default(client: Client, enrolled_alice: User) -> None:
    client.force_login(enrolled_alice)

    body = client.get("/settings/").content.decode()

    assert "<h1>设置</h1>" in body
    assert ">今天</a>" in body
    assert ">退出登录</button>" in body


def test_a_learner_who_chose_english_gets_english(client: Client, enrolled_alice: User) -> None:
    LearnerProfile.objects.create(user=enrolled_alice, language="en")
    client.force_login(enrolled_alice)

    body = client.get("/settings/").content.decode()

    assert '<html lang="en">' in body
    assert "<h1>Settings</h1>" in body
    assert ">Today</a>" in body


def test_the_profile_wins_over_the_language_cookie(client: Client, enrolled_alice: User) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(enrolled_alice)

    body = client.get("/settings/").content.decode()

    assert "<h1>设置</h1>" in body


def test_switching_language_in_the_nav_saves_it_on_the_profile(client: Client, enrolled_alice: User) -> None:
    client.force_login(enrolled_alice)

    response = client.post("/language/", {"language": "en", "next": "/settings/"})

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert LearnerProfile.objects.get(user=enrolled_alice).language == "en"
    assert "<h1>Settings</h1>" in client.get("/settings/").content.decode()


def test_the_choice_follows_the_learner_to_a_new_session(enrolled_alice: User) -> None:
    first = Client()
    first.force_login(enrolled_alice)
    first.post("/language/", {"language": "en", "next": "/"})

    second = Client()  # another browser: no cookie, a fresh session
    second.force_login(enrolled_alice)

    assert "<h1>Settings</h1>" in second.get("/settings/").content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_switch_with_the_cookie(client: Client) -> None:
    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Log in</h1>" in client.get("/accounts/login/").content.decode()
    assert not LearnerProfile.objects.exists()


def test_an_unknown_language_changes_nothing(client: Client, enrolled_alice: User) -> None:
    LearnerProfile.objects.create(user=enrolled_alice, language="en")
    client.force_login(enrolled_alice)

    client.post("/language/", {"language": "xx", "next": "/settings/"})

    assert LearnerProfile.objects.get(user=enrolled_alice).language == "en"
    assert "<h1>Settings</h1>" in client.get("/settings/").content.decode()


def test_the_language_switch_refuses_an_outside_redirect(client: Client, enrolled_alice: User) -> None:
    client.force_login(enrolled_alice)

    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_pages_read_the_language_from_the_session_not_the_database(client: Client, enrolled_alice: User) -> None:
    LearnerProfile.objects.create(user=enrolled_alice, language="en")
    client.force_login(enrolled_alice)
    assert client.session[SESSION_KEY] == "en"

    with CaptureQueriesContext(connection) as ctx:
        client.get("/settings/")

    profile_reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "progress_learnerprofile"')]
    assert profile_reads == []


def test_a_session_without_the_language_reads_the_profile_once(client: Client, enrolled_alice: User) -> None:
    LearnerProfile.objects.create(user=enrolled_alice, language="en")
    client.force_login(enrolled_alice)
    session = client.session
    del session[SESSION_KEY]
    session.save()

    assert "<h1>Settings</h1>" in client.get("/settings/").content.decode()
    assert client.session[SESSION_KEY] == "en"


def test_slot_labels_are_translated_for_english_readers() -> None:
    with translation.override("en"):
        assert str(Session.Slot.MORNING.label) == "Morning"
    with translation.override("zh-hans"):
        assert str(Session.Slot.MORNING.label) == "上午"


def test_logging_in_through_the_form_brings_the_profile_language(client: Client, enrolled_alice: User) -> None:
    LearnerProfile.objects.create(user=enrolled_alice, language="en")

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery", "next": "/settings/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert "<h1>Settings</h1>" in client.get("/settings/").content.decode()


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
