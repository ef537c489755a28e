"""One-click unsubscribe: GET confirms, POST (also cookie-less with CSRF enforced) turns reminders off.

A forged, cut or replayed link is 404 and changes nothing; link scanners that only read it change nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment
from progress.unsubscribe import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.factories import make_plan
from tests.progress.reminder_helpers import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    return enroll(alice, plan, start=date(2026, 3, 2))


def url(e: Enrollment) -> str:
    return f"/unsubscribe/{unsubscribe_token(e)}/"


def test_get_shows_a_confirmation_and_changes_nothing(client: Client, enrollment: Enrollment) -> None:
    response = client.get(url(enrollment))
    assert response.status_code == 200
    assert f'<form method="post" action="{url(enrollment)}">' in response.text
    assert "退订" in response.text  # the learner's language (zh-hans)
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True


def test_post_from_the_page_turns_reminders_off(client: Client, enrollment: Enrollment) -> None:
    response = client.post(url(enrollment))
    assert response.status_code == 200
    assert "你将不再收到" in response.text
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_one_click_post_without_cookies_works_with_csrf_enforced(enrollment: Enrollment) -> None:
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        url(enrollment), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_repeating_the_post_is_harmless(client: Client, enrollment: Enrollment) -> None:
    assert client.post(url(enrollment)).status_code == 200
    assert client.post(url(enrollment)).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_a_tampered_token_is_404_and_changes_nothing(client: Client, enrollment: Enrollment, bob: User) -> None:
    other = enroll(bob, enrollment.plan, start=date(2026, 3, 2))
    token = unsubscribe_token(enrollment)
    forged = f"{other.pk}:{token.split(':', 1)[1]}"  # alice's signature on bob's id
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense"):
        assert Client(enforce_csrf_checks=True).post(f"/unsubscribe/{bad}/").status_code == 404
        assert Client().get(f"/unsubscribe/{bad}/").status_code == 404
    assert set(Enrollment.objects.values_list("reminders_enabled", flat=True)) == {True}


def test_a_token_for_a_deleted_enrollment_is_404(client: Client, enrollment: Enrollment) -> None:
    link = url(enrollment)
    enrollment.delete()
    assert client.post(link).status_code == 404


def test_other_methods_are_refused(client: Client, enrollment: Enrollment) -> None:
    assert client.put(url(enrollment)).status_code == 405
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True


# --- forged, cut and replayed links ------------------------------------------------------------------------


def no_cookies() -> Client:
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def reminders_on(enrollment: Enrollment) -> bool:
    enrollment.refresh_from_db()
    return enrollment.reminders_enabled


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


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribing_twice_says_already_unsubscribed_and_how_to_turn_them_back_on(
    client: Client, enrollment: Enrollment, method: str
) -> None:
    assert client.post(url(enrollment)).status_code == 200

    response = getattr(client, method)(url(enrollment))

    assert response.status_code == 200
    assert "你已经退订了" in response.text
    assert '<a href="/settings/#settings-form-heading">' in response.text
    assert "<form" not in response.text.split('<main id="main"', 1)[1]
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_the_first_unsubscribe_is_thanked_not_told_it_was_done_already(client: Client, enrollment: Enrollment) -> None:
    response = client.post(url(enrollment))
    assert "你将不再收到" in response.text
    assert "你已经退订了" not in response.text
