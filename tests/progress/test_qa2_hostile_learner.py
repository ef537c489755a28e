"""Second QA pass on the learner side: unsubscribe links, enrolling, the settings page and HEAD requests,
tried with hostile input. Bad input gets a clear answer and changes nothing; never a 500.

Run on PostgreSQL as well (NUL characters only fail there): DATABASE_URL=postgres://... uv run pytest tests -k qa2
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment, LearnerProfile, ScheduleChange
from progress.unsubscribe import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    LearnerProfile.objects.create(user=alice, language="en")
    return Enrollment.objects.create(user=alice, plan=make_plan(days=3), start_date=date.today())


@pytest.fixture
def alice_client(alice: User, enrollment: Enrollment) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


def no_cookies() -> Client:
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def reminders_on(enrollment: Enrollment) -> bool:
    enrollment.refresh_from_db()
    return enrollment.reminders_enabled


# --- unsubscribe -----------------------------------------------------------------------------------------


def forged_tokens(enrollment: Enrollment) -> dict[str, str]:
    token = unsubscribe_token(enrollment)
    return {
        "truncated": token[:-1],
        "signature cut off": token.split(":")[0],
        "extended": token + "A",
        "other salt": signing.Signer(salt="something-else").sign(str(enrollment.pk)),
        "no salt": signing.Signer().sign(str(enrollment.pk)),
        "other pk, same signature": f"{enrollment.pk + 1}:{token.split(':', 1)[1]}",
        "signed non-number": signing.Signer(salt=UNSUBSCRIBE_SALT).sign("abc"),
        "signed huge number": signing.Signer(salt=UNSUBSCRIBE_SALT).sign("9" * 30),
        "NUL": "%00",
        "very long": "a" * 5000,
    }


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "case",
    [
        "truncated",
        "signature cut off",
        "extended",
        "other salt",
        "no salt",
        "other pk, same signature",
        "signed non-number",
        "signed huge number",
        "NUL",
        "very long",
    ],
)
def test_a_forged_unsubscribe_link_is_404_and_changes_nothing(enrollment: Enrollment, method: str, case: str) -> None:
    token = forged_tokens(enrollment)[case]

    response = getattr(no_cookies(), method)(f"/unsubscribe/{token}/")

    assert response.status_code == 404
    assert reminders_on(enrollment)


def test_an_unsubscribe_link_for_a_deleted_enrollment_is_404_for_the_one_click_post(enrollment: Enrollment) -> None:
    url = f"/unsubscribe/{unsubscribe_token(enrollment)}/"
    enrollment.delete()

    response = no_cookies().post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 404


def test_the_one_click_post_works_again_and_again_without_cookies(enrollment: Enrollment) -> None:
    url = f"/unsubscribe/{unsubscribe_token(enrollment)}/"

    answers = [no_cookies().post(url, {"List-Unsubscribe": "One-Click"}).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert not reminders_on(enrollment)


@pytest.mark.parametrize("method", ["get", "head"])
def test_link_scanners_reading_the_unsubscribe_link_change_nothing(enrollment: Enrollment, method: str) -> None:
    response = getattr(no_cookies(), method)(f"/unsubscribe/{unsubscribe_token(enrollment)}/")

    assert response.status_code == 200
    assert reminders_on(enrollment)


def test_the_unsubscribe_link_of_one_enrollment_leaves_the_others_alone(enrollment: Enrollment, alice: User) -> None:
    other = Enrollment.objects.create(user=alice, plan=make_plan("other", days=2), start_date=date.today())

    no_cookies().post(f"/unsubscribe/{unsubscribe_token(enrollment)}/")

    assert not reminders_on(enrollment)
    assert reminders_on(other)


# --- enrolling -------------------------------------------------------------------------------------------


def enroll_form(plan: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "start_date": date.today().isoformat(),
        "weekdays": ["0", "1"],
        "time_zone": "Asia/Shanghai",
    } | overrides


@pytest.mark.parametrize("plan_id", ["1\x00", "\x00", "abc", "9" * 30, "-1", "1.5", ""])
def test_enrolling_with_a_garbage_plan_id_is_a_form_error(bob: User, enrollment: Enrollment, plan_id: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    response = client.post("/enroll/", enroll_form(plan_id))

    assert response.status_code == 200
    assert not Enrollment.objects.filter(user=bob).exists()


def test_enrolling_in_an_unpublished_plan_is_refused(bob: User) -> None:
    make_plan("open", days=2)  # so the page shows the form (with no plan open it says so instead)
    hidden = make_plan("hidden", days=2)
    Plan.objects.filter(pk=hidden.pk).update(published=False)
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    response = client.post("/enroll/", enroll_form(hidden.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "选择一个有效的选项" in response.content.decode()
    assert not Enrollment.objects.filter(user=bob).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Asia"),
        ("time_zone", "Asia/Shanghai\x00"),
        ("time_zone", "localtime"),
        ("start_date", "2026-02-30"),
        ("start_date", "\x00"),
        ("weekdays", ["\x00"]),
        ("weekdays", ["7"]),
    ],
)
def test_enrolling_with_a_bad_field_changes_nothing(bob: User, field: str, value: Any) -> None:
    plan = make_plan(days=2)
    client = Client(raise_request_exception=False)
    client.force_login(bob)

    response = client.post("/enroll/", enroll_form(plan.pk, **{field: value}))

    assert response.status_code == 200
    assert not Enrollment.objects.filter(user=bob).exists()


def test_enrolling_needs_the_csrf_token(bob: User) -> None:
    plan = make_plan(days=2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)

    assert client.post("/enroll/", enroll_form(plan.pk)).status_code == 403
    assert not Enrollment.objects.filter(user=bob).exists()


# --- the settings page -----------------------------------------------------------------------------------


def settings_form(enrollment: Enrollment, **overrides: Any) -> dict[str, Any]:
    return {
        "start_date": enrollment.start_date.isoformat(),
        "weekdays": ["0", "1", "2"],
        "time_zone": "Europe/Berlin",
        "reminders_enabled": "on",
        "reminder_time": "07:30",
        "morning_start": "09:00",
        "morning_end": "12:00",
        "afternoon_start": "14:00",
        "afternoon_end": "18:00",
        "language": "en",
    } | overrides


SNAPSHOT = ("time_zone", "reminder_time", "morning_start", "morning_end", "afternoon_start", "study_weekdays")


def snapshot(enrollment: Enrollment) -> tuple[Any, ...]:
    enrollment.refresh_from_db()
    return tuple(getattr(enrollment, name) for name in SNAPSHOT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reminder_time", "24:00"),
        ("reminder_time", "23:59:60"),
        ("reminder_time", "08:00\x00"),
        ("reminder_time", "x" * 100_000),
        ("morning_start", "-1:00"),
        ("morning_end", "08:00"),  # ends before it starts
        ("afternoon_start", "11:00"),  # before the morning ends
        ("afternoon_end", "13:00"),  # before the afternoon starts
        ("time_zone", "Etc"),
        ("time_zone", "\x00"),
        ("language", "xx"),
        ("start_date", (date.today() + timedelta(days=4000)).isoformat()),
        ("weekdays", []),
        ("weekdays", ["9"]),
    ],
)
def test_a_bad_setting_is_a_form_error_and_changes_nothing(
    alice_client: Client, enrollment: Enrollment, field: str, value: Any
) -> None:
    before = snapshot(enrollment)

    response = alice_client.post("/settings/", settings_form(enrollment, **{field: value}))

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert snapshot(enrollment) == before
    assert not ScheduleChange.objects.exists()


def test_the_settings_form_itself_is_accepted(alice_client: Client, enrollment: Enrollment) -> None:
    # The baseline the refusals above depart from: unchanged, it saves.
    response = alice_client.post("/settings/", settings_form(enrollment))

    assert response.status_code == 302
    assert snapshot(enrollment)[0] == "Europe/Berlin"


def test_the_settings_page_needs_the_csrf_token(alice: User, enrollment: Enrollment) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    before = snapshot(enrollment)

    assert client.post("/settings/", settings_form(enrollment)).status_code == 403
    assert snapshot(enrollment) == before


# --- HEAD on every page ----------------------------------------------------------------------------------

PAGES = ["/", "/calendar/", "/days/1/", "/plan/", "/progress/", "/enroll/", "/settings/", "/reschedule/", "/days-off/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_learner_page_answers_head_like_get_and_changes_nothing(
    alice_client: Client, enrollment: Enrollment, path: str
) -> None:
    before = snapshot(enrollment)

    response = alice_client.head(path)

    assert response.status_code == alice_client.get(path).status_code == 200
    assert snapshot(enrollment) == before


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"])
def test_the_account_pages_answer_head(path: str) -> None:
    assert Client().head(path).status_code == 200
